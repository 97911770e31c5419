// Dial-in with a PIN from a real SIP phone (issue 18's acceptance): baresip calls a conference's
// number, is answered at once and hears the PIN prompt while kept apart from the room, keys the
// PIN as RFC 4733 telephone-events, and is then a member that hears, and is heard by, an ffmpeg
// participant who joined through the REST API. Three wrong PINs and the server hangs up (BYE).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goertzelDb, rmsDb, sleep, tone } from '../helpers/audio.js';
import { Baresip } from '../helpers/baresip.js';
import { ffmpegOffer, freePortPair, processes, receiverSdp, startReceiver, startSender } from '../helpers/ffmpeg.js';
import { startServer, waitFor, type Json, type ServerProcess } from '../helpers/serverProcess.js';
import { requireTool } from '../helpers/tools.js';
import { readWav, wavBytes } from '../helpers/wav.js';

const SIP_PORT = 35100;
const RTP_PORTS = '31250-31299';
const NUMBER = '4500';
const PIN = '1234';
/** The prompt ("Please enter your conference pin, followed by the pound key.") is about 3.5 s long. */
const PROMPT_MS = 3500;

const procs = processes();
let server: ServerProcess;
let token: string;
let A: string;
let conf: string;
let dir: string;
let voice660: string;
const phones: Baresip[] = [];

const participants = async (): Promise<Json[]> =>
  (await server.api('GET', `/v2/accounts/${A}/conferences/${conf}/participants`, undefined, token)).body.data as Json[];
const levels = (s: Int16Array, rate: number, freqs: number[]) => Object.fromEntries(freqs.map((f) => [f, Number(goertzelDb(s, f, rate).toFixed(1))]));
const tail = (s: string) => s.slice(-6000);

beforeAll(async () => {
  requireTool('baresip');
  requireTool('ffmpeg');
  server = await startServer({ rtpPorts: RTP_PORTS, env: { ROOMTONE_SIP_PORT: String(SIP_PORT) } });
  ({ token, accountId: A } = await server.login(server.masterApiKey!));
  // Members join unmuted here, so the phone's tone reaches the room once it is admitted.
  const created = await server.api('PUT', `/v2/accounts/${A}/conferences`, {
    data: { name: 'pin dial-in', conference_numbers: [NUMBER], member: { pins: [PIN], join_muted: false } },
  }, token);
  expect(created.status, created.text).toBe(201);
  conf = created.body.data.id;
  dir = mkdtempSync(join(tmpdir(), 'roomtone-baresip-test-'));
  voice660 = join(dir, 'tone660.wav');
  writeFileSync(voice660, wavBytes(tone(660, 8000, 40), 8000));
}, 30_000);

afterAll(async () => {
  procs.kill();
  for (const p of phones) await p.stop();
  await server?.stop();
});

describe('dial-in with a PIN from baresip', () => {
  it('answered at once, the prompt, PIN 1234# as RFC 4733: a member who hears 440 Hz and is heard at 660 Hz', async () => {
    // The ffmpeg participant gives the PIN in its join: a member at once, sending 440 Hz.
    const recvPort = await freePortPair();
    const sendPort = await freePortPair();
    const joined = await server.api('POST', `/v2/accounts/${A}/conferences/${conf}/participants`, {
      data: { sdp: ffmpegOffer('PCMU', recvPort), pin: PIN, caller_id_name: 'ffmpeg', caller_id_number: '440', call_id: 'ffmpeg-440' },
    }, token);
    expect(joined.status, joined.text).toBe(201);
    const answer = joined.body.data.sdp as string;
    startSender(procs, { codec: 'PCMU', freq: 440, toPort: Number(/m=audio (\d+)/.exec(answer)![1]), fromPort: sendPort, seconds: 30 });

    const phone = await Baresip.start({ sipPort: 35101, rtpPorts: [31350, 31359], playWav: voice660, recordWav: join(dir, 'baresip-heard.wav'), user: 'bare', displayName: 'Bare Phone' });
    phones.push(phone);
    const dialledAt = Date.now();
    await phone.dial(`sip:${NUMBER}@127.0.0.1:${SIP_PORT}`);
    const established = await phone.waitEvent('CALL_ESTABLISHED', 5000).catch((e: Error) => {
      throw new Error(`${e.message}\n${tail(phone.output)}\n${server.diagnostics()}`);
    });
    // Answered at once (no ringing), and our answer has telephone-event, or the PIN could not be keyed in the media.
    const fromServer = phone.sipMessages().filter((m) => m.from === `127.0.0.1:${SIP_PORT}`);
    expect(fromServer.map((m) => m.text.split('\r\n')[0])).toEqual(['SIP/2.0 100 Trying', 'SIP/2.0 200 OK']);
    expect(fromServer[1].text, tail(phone.output)).toMatch(/\r\na=rtpmap:\d+ telephone-event\/8000\r\n/);
    expect(established.at - dialledAt).toBeLessThan(2000);
    // Still entering its PIN: in the call, not yet a member.
    expect((await participants()).map((p) => p.caller_id_number)).toEqual(['440']);

    await sleep(PROMPT_MS);
    await phone.sendDtmf(`${PIN}#`);
    const member = await waitFor('the phone admitted as a member', async () => (await participants()).find((p) => p.caller_id_number === 'bare'), 4000).catch((e: Error) => {
      throw new Error(`${e.message}\n${tail(phone.output)}\n${server.diagnostics()}`);
    });
    expect(member).toMatchObject({ caller_id_name: 'Bare Phone', is_moderator: false, speak: true, hear: true });

    // The ffmpeg participant records 3 s while both are members.
    const heardByFfmpeg = await startReceiver(procs, { sdp: receiverSdp(answer, recvPort), dir, name: 'ffmpeg-heard', seconds: 3 });
    await phone.hangup();
    const closed = await phone.waitEvent('CALL_CLOSED', 3000);
    expect(closed.param).toMatch(/by user/);

    // What the phone heard (received packets only): first the prompt, speech without the room's
    // 440 Hz; last the room.
    const { rate, samples } = readWav(await phone.recording());
    const promptPart = samples.subarray(0, rate * 2);
    const memberPart = samples.subarray(samples.length - rate * 2.5, samples.length - rate * 0.25);
    const atPrompt = levels(promptPart, rate, [350, 440, 660]);
    const asMember = levels(memberPart, rate, [350, 440, 660]);
    const ffmpegWav = readWav(heardByFfmpeg);
    const byFfmpeg = levels(ffmpegWav.samples.subarray(ffmpegWav.rate * 0.5), ffmpegWav.rate, [440, 660]);
    console.log(`answered in ${established.at - dialledAt} ms; baresip heard ${(samples.length / rate).toFixed(2)} s: prompt rms ${rmsDb(promptPart).toFixed(1)} dBFS, ${JSON.stringify(atPrompt)}; as member ${JSON.stringify(asMember)}; ffmpeg heard ${JSON.stringify(byFfmpeg)} dBFS`);
    expect(rmsDb(promptPart), 'the prompt is heard').toBeGreaterThan(-40);
    expect(asMember[440] - atPrompt[440], 'apart from the room while entering the PIN').toBeGreaterThanOrEqual(20);
    expect(asMember[440], 'the member hears the ffmpeg participant').toBeGreaterThan(-30);
    // Not the hold music (350 + 440 Hz) and not its own voice.
    expect(asMember[440] - asMember[350]).toBeGreaterThanOrEqual(20);
    expect(asMember[440] - asMember[660], 'its own 660 Hz is not sent back').toBeGreaterThanOrEqual(20);
    expect(byFfmpeg[660], 'the ffmpeg participant hears the phone').toBeGreaterThan(-30);
    expect(byFfmpeg[660] - byFfmpeg[440], 'and not its own 440 Hz').toBeGreaterThanOrEqual(20);
    await waitFor('the phone gone after its BYE', async () => !(await participants()).some((p) => p.caller_id_number === 'bare'), 3000);
    await phone.stop();
    procs.kill();
  }, 30_000);

  it('three wrong PINs: the server ends the call with a BYE', async () => {
    const phone = await Baresip.start({ sipPort: 35103, rtpPorts: [31360, 31369], playWav: voice660, user: 'wrong' });
    phones.push(phone);
    await phone.dial(`sip:${NUMBER}@127.0.0.1:${SIP_PORT}`);
    await phone.waitEvent('CALL_ESTABLISHED', 5000);
    for (let i = 0; i < 3; i++) {
      await sleep(1000);
      await phone.sendDtmf('9999#');
    }
    const lastKeyAt = Date.now();
    // The server says goodbye (a prompt of a few seconds) before its BYE.
    const closed = await phone.waitEvent('CALL_CLOSED', 10_000).catch((e: Error) => {
      throw new Error(`no BYE from the server after three wrong PINs: ${e.message}\n${tail(phone.output)}\n${server.diagnostics()}`);
    });
    console.log(`call closed ${closed.at - lastKeyAt} ms after the third PIN was keyed: ${closed.param}`);
    expect(closed.param, 'closed by the server, not by the phone').toMatch(/by peer/);
    expect(phone.sipMessages().filter((m) => m.from === `127.0.0.1:${SIP_PORT}` && m.text.startsWith('BYE '))).toHaveLength(1);
    expect((await participants()).some((p) => p.caller_id_number === 'wrong')).toBe(false);
    await phone.stop();
  }, 30_000);
});
