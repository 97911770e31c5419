// Dial-out with audio, against real callees. `dial` calls baresip on auto-answer: it answers,
// and a conference member saying 440 Hz hears the phone's 660 Hz while the phone hears 440 Hz.
// XiVO's `invite` with earlyJoin: the callee (SIPp) sends early media (183 with SDP, then a
// 660 Hz tone from a pcap) and the conference hears it before the 200.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { goertzelDb, tone } from '../helpers/audio.js';
import { A, act, confPath, createConference, expectSuccess, master, server, useApiServer } from '../helpers/apiSession.js';
import { Baresip } from '../helpers/baresip.js';
import { writeTonePcap } from '../helpers/pcap.js';
import { closeMembersAfterEach, level, member } from '../helpers/rtpMembers.js';
import { WsClient } from '../helpers/serverProcess.js';
import { requireTool } from '../helpers/tools.js';
import { readWav, wavBytes } from '../helpers/wav.js';
import { SCENARIOS, sipp } from './sipp.js';

const SIP_PORT = 35160;
useApiServer('31330-31349', { ROOMTONE_SIP_PORT: String(SIP_PORT) });
closeMembersAfterEach();

let dir: string;
let ws: WsClient;
const stops: (() => unknown)[] = [];
beforeAll(async () => {
  requireTool('baresip');
  requireTool('sipp');
  dir = mkdtempSync(join(tmpdir(), 'roomtone-dial-audio-'));
  ws = await WsClient.connect(server.url);
});
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});
afterAll(() => ws?.close());

async function watched(): Promise<string> {
  const conf = (await createConference({ play_entry_tone: false, member: { join_muted: false } })).id as string;
  expect((await ws.subscribe(master.token, A, `conference.event.${conf}.*`)).status).toBe('success');
  return conf;
}

describe('SIP dial-out with audio', () => {
  it('dial to baresip on auto-answer: add-member, and audio both ways (440 Hz heard by the phone, 660 Hz by the member)', async () => {
    const conf = await watched();
    const wav = join(dir, 'phone660.wav');
    writeFileSync(wav, wavBytes(tone(660, 8000, 40), 8000));
    const phone = await Baresip.start({ sipPort: 35161, rtpPorts: [31370, 31379], playWav: wav, recordWav: join(dir, 'phone-heard.wav'), autoAnswer: true, user: 'callee' });
    stops.push(() => phone.stop());
    const m = await member(conf, 440, {}, { seconds: 20 });
    expectSuccess(await act(confPath(A, conf), 'dial', { endpoints: ['sip:callee@127.0.0.1:35161'], outbound_call_id: 'to-baresip', caller_id_name: 'Room' }));
    await phone.waitEvent('CALL_ESTABLISHED', 8000);
    await ws.waitEvent('add-member', 'to-baresip', 8000);
    const heard660 = await level(m, 660, 1500, 1000);
    const heardOwn = await level(m, 440, 0, 1000);
    await phone.hangup();
    await ws.waitEvent('del-member', 'to-baresip', 5000);
    const { rate, samples } = readWav(await phone.recording());
    const last = samples.subarray(Math.max(0, samples.length - rate * 2));
    const phone440 = goertzelDb(last, 440, rate);
    const phone660 = goertzelDb(last, 660, rate);
    console.log(`member heard 660 Hz at ${heard660.toFixed(1)} dB (own 440 at ${heardOwn.toFixed(1)}); phone heard 440 at ${phone440.toFixed(1)}, 660 at ${phone660.toFixed(1)}`);
    expect(heard660, 'the member hears the phone').toBeGreaterThan(-30);
    expect(phone440, 'the phone hears the member').toBeGreaterThan(-30);
    expect(phone440 - phone660, 'not its own voice').toBeGreaterThanOrEqual(20);
  }, 40_000);

  it("XiVO invite with earlyJoin: the conference hears the callee's early media before the 200", async () => {
    const conf = await watched();
    const pcap = join(dir, 'early660.pcap');
    writeTonePcap(pcap, { seconds: 6, frequency: 660 });
    const scenario = join(dir, 'uas-early-media.xml');
    writeFileSync(scenario, readFileSync(join(SCENARIOS, 'uas-early-media.xml'), 'utf8').replaceAll('EARLY_PCAP', pcap));
    const uas = sipp({ scenario, port: 35171, mediaPort: 35172, timeoutSeconds: 25 });
    stops.push(() => uas.stop());
    await new Promise((r) => setTimeout(r, 400));
    const m = await member(conf, null);
    const reply = expectSuccess(await act(confPath(A, conf), 'invite', { exten: 'sip:early@127.0.0.1:35171', earlyJoin: true, role: 'User', callerId: 'Early Bird' }));
    const callId = reply.endpoint_responses[0].call_id as string;
    await ws.waitEvent('dial-ringing', callId, 8000).catch(async (e: Error) => {
      uas.stop();
      throw new Error(`${e.message.slice(0, 300)}\nSIPp: ${(await uas.done).output}`);
    });
    const early = await level(m, 660, 1200, 1000);
    const answeredYet = ws.events.some((e) => e.name === 'dial-answered' && e.data?.call_id === callId);
    console.log(`early media: 660 Hz at ${early.toFixed(1)} dB before the answer (answered yet: ${answeredYet})`);
    expect(answeredYet, 'heard while it still rings').toBe(false);
    expect(early, 'the conference hears the early media').toBeGreaterThan(-35);
    const added = await ws.waitEvent('add-member', callId, 10_000);
    expect(added.data.caller_id_name).toBe('Early Bird');
    expectSuccess(await act(`${confPath(A, conf)}/participants/${added.data.participant_id}`, 'kick'));
    const { code, output } = await uas.done;
    expect(code, output).toBe(0);
  }, 40_000);
});
