// DTMF-driven behaviour against the real server: caller controls and pin entry, with RFC 4733
// events sent by an RTP client and the effect checked in the audio and in the events.
import { afterEach, describe, expect, it } from 'vitest';
import { writeRtpHeader } from '../../src/rtp/RtpPacket.js';
import { goertzelDb, sleep } from '../helpers/audio.js';
import { A, api, createConference, expectSuccess, master, partPath, server, useApiServer } from '../helpers/apiSession.js';
import type { RtpTestClient } from '../helpers/RtpTestClient.js';
import { closeMembersAfterEach, level, member, RATE } from '../helpers/rtpMembers.js';
import { WsClient } from '../helpers/serverProcess.js';

useApiServer('30700-30799');

const sockets: WsClient[] = [];
closeMembersAfterEach();
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

/** The client's offer with telephone-event/48000 on payload type 101. */
const withDtmf = (offer: string) =>
  offer.replace(/m=audio (\d+) RTP\/AVP 111/, 'm=audio $1 RTP/AVP 111 101').replace('a=ptime:20', 'a=rtpmap:101 telephone-event/48000\r\na=ptime:20');

const join = (conf: string, freq: number | null, extra: Record<string, unknown> = {}) => member(conf, freq, extra, { offer: withDtmf });

let dtmfSeq = 30000;
/** One key press as RFC 4733 packets (three with the end bit), on the client's SSRC. */
async function press(client: RtpTestClient, digit: string): Promise<void> {
  const event = '0123456789*#'.indexOf(digit);
  const ts = Math.floor(Math.random() * 2 ** 31);
  for (let i = 1; i <= 6; i++) {
    const end = i > 3;
    const packet = new Uint8Array(16);
    writeRtpHeader(packet, 0, { marker: i === 1, payloadType: 101, sequenceNumber: dtmfSeq++ & 0xffff, timestamp: ts, ssrc: client.ssrc });
    packet.set([event, (end ? 0x80 : 0) | 10, 0, Math.min(i, 3) * 20], 12);
    client.sendRaw(packet);
    await sleep(20);
  }
}

describe('DTMF (real RTP clients, real server)', () => {
  it('0 toggles mute: the caller goes silent for the others, and mute-member and caller-control are emitted', async () => {
    const conf = (await createConference({ member: { join_muted: false } })).id;
    const ws = await WsClient.connect(server.url);
    sockets.push(ws);
    await ws.subscribe(master.token, A, `conference.event.${conf}.*`);
    const talker = await join(conf, 523);
    const listener = await join(conf, null);
    await sleep(1000);
    const heard = () => listener.client.decoded();
    expect(goertzelDb(heard().subarray(heard().length - RATE / 2), 523, RATE), 'heard before').toBeGreaterThan(-30);

    const muted = ws.waitEvent('mute-member', talker.callId);
    const control = ws.waitEvent('caller-control', talker.callId);
    await press(talker.client, '0');
    expect((await muted).data.speak).toBe(false);
    expect((await control).data).toMatchObject({ digit: '0', control: 'mute-toggle' });
    await sleep(400);
    const from = heard().length;
    await sleep(600);
    expect(goertzelDb(heard().subarray(from), 523, RATE), 'silent once muted').toBeLessThan(-60);

    const unmuted = ws.waitEvent('unmute-member', talker.callId);
    await press(talker.client, '0');
    expect((await unmuted).data.speak).toBe(true);
  }, 20_000);

  it('a pin entered by DTMF admits the caller as moderator; three wrong pins remove it', async () => {
    const conf = (await createConference({ member: { pins: ['1111'], join_muted: false }, moderator: { pins: ['4242'] } })).id;
    await join(conf, 784, { moderator: true, pin_checked: true });
    const caller = await join(conf, null, { collect_pin: true });
    let list = expectSuccess(await api('GET', partPath(A, conf), undefined, master.token));
    expect(list, 'not a member while entering the pin').toHaveLength(1);
    // Measured once the spoken PIN request (about 3.5 s) is over.
    expect(await level(caller, 784, 4200), 'hears only the prompt while entering the pin').toBeLessThan(-60);
    for (const d of '4242#') await press(caller.client, d);
    await sleep(300);
    const admitted = expectSuccess(await api('GET', partPath(A, conf, caller.id), undefined, master.token));
    expect(admitted.is_moderator).toBe(true);
    expect(await level(caller, 784), 'admitted: hears the conference').toBeGreaterThan(-30);

    const wrong = await join(conf, null, { collect_pin: true });
    for (const attempt of ['9#', '8#', '7#']) for (const d of attempt) await press(wrong.client, d);
    await sleep(400);
    list = expectSuccess(await api('GET', partPath(A, conf), undefined, master.token));
    expect(list.map((p: { participant_id: number }) => p.participant_id)).not.toContain(wrong.id);
    expect(list).toHaveLength(2);
  }, 30_000);
});
