// Dial-in details against the real server, with a bare UDP endpoint that shows each message:
// SDES-SRTP or plain RTP as offered; digest authentication for a conference with bridge
// credentials (SHA-256 and MD5, wrong ones refused); RFC 4028 session timers (422 below Min-SE,
// our 200 naming the refresher); hold and unhold by re-INVITE (hold-member, unhold-member); INFO
// DTMF `0` toggling mute; a locked or full conference answered with its sound then BYE; a wrong
// dialog tag 481; CANCEL; the media timeout's BYE; the INVITE flood limit (503, Retry-After).
import { afterEach, describe, expect, it } from 'vitest';
import { answerChallenge, pickChallenge } from '../../src/sip/digest.js';
import type { SipMessage } from '../../src/sip/sipLibrary.js';
import { A, act, api, confPath, createConference, expectSuccess, master, partPath, server, useApiServer } from '../helpers/apiSession.js';
import { waitFor, WsClient, type Json } from '../helpers/serverProcess.js';
import { inDialogText, inviteText, RawUa, token } from './rawSip.js';

const SIP_PORT = 35150;
// A short media timeout: these callers send no RTP, and one test waits for the timeout's BYE.
useApiServer('31550-31579', { ROOMTONE_SIP_PORT: String(SIP_PORT), ROOMTONE_MEDIA_TIMEOUT_MS: '5000' });

const uas: RawUa[] = [];
afterEach(() => uas.splice(0).forEach((u) => u.close()));
async function ua(address?: string): Promise<RawUa> {
  const u = await RawUa.open(SIP_PORT, address);
  uas.push(u);
  return u;
}

const participants = async (conf: string) => expectSuccess(await api('GET', partPath(A, conf), undefined, master.token)) as Json[];

/** Calls `number` and completes the handshake: the dialog's ids. */
async function call(u: RawUa, number: string, headers: string[] = []): Promise<{ callId: string; tag: string; toTag: string; ok: SipMessage }> {
  const callId = `${token()}@raw`;
  const tag = token();
  u.send(inviteText(u, { number, callId, tag, headers }));
  const ok = await u.final('INVITE', 1);
  expect(ok.status).toBe(200);
  const toTag = String(ok.headers.to.params.tag);
  u.send(inDialogText(u, { method: 'ACK', number, callId, tag, toTag, seq: 1 }));
  return { callId, tag, toTag, ok };
}

describe('SIP dial-in: credentials, timers, hold, INFO, refusals', () => {
  it('a conference with bridge credentials challenges (SHA-256 and MD5), admits the right ones and refuses the wrong ones', async () => {
    const conf = (await createConference({ conference_numbers: ['4801'], bridge_username: 'bridge', bridge_password: 's3cret' })).id;
    for (const [algorithm, password, admitted] of [
      ['SHA-256', 's3cret', true],
      ['MD5', 's3cret', true],
      ['SHA-256', 'wrong', false],
    ] as const) {
      const u = await ua();
      const callId = `${token()}@raw`;
      const tag = token();
      u.send(inviteText(u, { number: '4801', callId, tag }));
      const challenge = await u.final('INVITE', 1);
      expect(challenge.status).toBe(401);
      const offered = challenge.headers['www-authenticate'] as Record<string, string>[];
      expect(offered.map((c) => c.algorithm)).toEqual(['SHA-256', 'MD5']);
      const chosen = algorithm === 'MD5' ? offered.find((c) => c.algorithm === 'MD5') : pickChallenge(offered);
      const auth = answerChallenge(chosen, { method: 'INVITE', uri: `sip:4801@127.0.0.1:${SIP_PORT}`, username: 'bridge', password })!;
      const header = `Authorization: Digest ${Object.entries(auth).filter(([k]) => k !== 'scheme').map(([k, v]) => `${k}=${v}`).join(', ')}`;
      u.send(inviteText(u, { number: '4801', callId, tag, seq: 2, headers: [header] }));
      const answer = await u.final('INVITE', 2);
      expect(answer.status, `${algorithm} with ${password}`).toBe(admitted ? 200 : 401);
      if (admitted) {
        u.send(inDialogText(u, { method: 'ACK', number: '4801', callId, tag, toTag: String(answer.headers.to.params.tag), seq: 2 }));
        u.send(inDialogText(u, { method: 'BYE', number: '4801', callId, tag, toTag: String(answer.headers.to.params.tag), seq: 3 }));
        expect((await u.final('BYE', 3)).status).toBe(200);
      }
    }
    await waitFor('nobody left in', async () => (await participants(conf)).length === 0);
  }, 30_000);

  it('session timers: below Min-SE is 422; a timer asked for is answered with its refresher and Require: timer', async () => {
    await createConference({ conference_numbers: ['4802'] });
    const u = await ua();
    u.send(inviteText(u, { number: '4802', callId: `${token()}@raw`, tag: token(), headers: ['Supported: timer', 'Session-Expires: 30'] }));
    const small = await u.final('INVITE', 1);
    expect(small.status).toBe(422);
    expect(small.headers['min-se']).toBe('90');
    const { ok, callId, tag, toTag } = await call(u, '4802', ['Supported: timer', 'Session-Expires: 1800;refresher=uac']);
    expect(ok.headers['session-expires']).toBe('1800;refresher=uac');
    expect(ok.headers.require).toBe('timer');
    u.send(inDialogText(u, { method: 'BYE', number: '4802', callId, tag, toTag, seq: 2 }));
    expect((await u.final('BYE', 2)).status).toBe(200);
  });

  it('SDES-SRTP or plain RTP, as offered: the answer has RTP/SAVP with our a=crypto, or RTP/AVP without', async () => {
    await createConference({ conference_numbers: ['4807'] });
    const u = await ua();
    for (const srtp of [true, false]) {
      const callId = `${token()}@raw`;
      const tag = token();
      u.send(inviteText(u, { number: '4807', callId, tag, srtp }));
      const ok = await u.final('INVITE', 1);
      expect(ok.status).toBe(200);
      if (srtp) expect(ok.content).toMatch(/m=audio \d+ RTP\/SAVP [\s\S]*a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:/);
      else expect(ok.content).toMatch(/m=audio \d+ RTP\/AVP /), expect(ok.content).not.toMatch(/a=crypto/);
      const toTag = String(ok.headers.to.params.tag);
      u.send(inDialogText(u, { method: 'ACK', number: '4807', callId, tag, toTag, seq: 1 }));
      u.send(inDialogText(u, { method: 'BYE', number: '4807', callId, tag, toTag, seq: 2 }));
      expect((await u.final('BYE', 2)).status).toBe(200);
    }
  });

  it('hold and unhold by re-INVITE; INFO DTMF 0 (dtmf-relay and dtmf) toggles mute; a wrong dialog tag is 481', async () => {
    const conf = (await createConference({ conference_numbers: ['4803'], member: { join_muted: false } })).id;
    const ws = await WsClient.connect(server.url);
    expect((await ws.subscribe(master.token, A, `conference.event.${conf}.*`)).status).toBe('success');
    const u = await ua();
    const d = await call(u, '4803');
    const me = async () => (await participants(conf)).find((p) => p.call_id === d.callId)!;
    await waitFor('a member', async () => (await me()) !== undefined);
    const reinvite = (seq: number, direction: string) => {
      const text = inviteText(u, { number: '4803', callId: d.callId, tag: d.tag, seq }).replace('a=sendrecv', `a=${direction}`);
      u.send(text.replace(`To: <sip:4803@127.0.0.1>`, `To: <sip:4803@127.0.0.1>;tag=${d.toTag}`));
    };
    reinvite(2, 'sendonly');
    const held = await u.final('INVITE', 2);
    expect(held.status).toBe(200);
    expect(held.content).toMatch(/a=recvonly/);
    await waitFor('held', async () => (await me()).held === true);
    await ws.waitEvent('hold-member', d.callId);
    reinvite(3, 'sendrecv');
    expect((await u.final('INVITE', 3)).status).toBe(200);
    await waitFor('unheld', async () => (await me()).held === false);
    await ws.waitEvent('unhold-member', d.callId);
    await ws.close();

    expect((await me()).speak).toBe(true);
    u.send(inDialogText(u, { method: 'INFO', number: '4803', ...d, seq: 4, headers: ['Content-Type: application/dtmf-relay'], body: 'Signal=0\r\nDuration=160\r\n' }));
    expect((await u.final('INFO', 4)).status).toBe(200);
    await waitFor('muted by INFO 0', async () => (await me()).speak === false);
    u.send(inDialogText(u, { method: 'INFO', number: '4803', ...d, seq: 5, headers: ['Content-Type: application/dtmf'], body: '0' }));
    expect((await u.final('INFO', 5)).status).toBe(200);
    await waitFor('unmuted by INFO 0 again', async () => (await me()).speak === true);

    u.send(inDialogText(u, { method: 'BYE', number: '4803', ...d, toTag: 'not-ours', seq: 6 }));
    expect((await u.final('BYE', 6)).status).toBe(481);
    u.send(inDialogText(u, { method: 'BYE', number: '4803', ...d, seq: 7 }));
    expect((await u.final('BYE', 7)).status).toBe(200);
    await waitFor('gone after BYE', async () => (await me()) === undefined);
  }, 30_000);

  it('a locked conference, and a full one, answer, play their sound, then send BYE', async () => {
    for (const [number, doc] of [
      ['4804', {}],
      ['4808', { max_participants: 1 }],
    ] as const) {
      const conf = (await createConference({ conference_numbers: [number], ...doc })).id;
      const keeper = await ua();
      await call(keeper, number); // the conference runs, so the refusal can be heard
      if (number === '4804') expectSuccess(await act(confPath(A, conf), 'lock'));
      const u = await ua();
      const { ok } = await call(u, number);
      expect(ok.content).toMatch(/m=audio/);
      const bye = await u.next('our BYE', (m) => m.method === 'BYE', 8000);
      expect(bye.headers['call-id']).toBe(ok.headers['call-id']);
      expect((await participants(conf)).length).toBe(1);
    }
  }, 30_000);

  it('a CANCEL while the INVITE is being joined: 200 for it, 487 for the INVITE, and nobody joins', async () => {
    const conf = (await createConference({ conference_numbers: ['4806'] })).id;
    const u = await ua();
    const callId = `${token()}@raw`;
    const tag = token();
    const branch = `z9hG4bK${token()}`;
    const invite = inviteText(u, { number: '4806', callId, tag, branch });
    const cancel = [
      `CANCEL sip:4806@127.0.0.1:${SIP_PORT} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${u.port};branch=${branch};rport`,
      'Max-Forwards: 70',
      `From: "Raw" <sip:raw@127.0.0.1>;tag=${tag}`,
      'To: <sip:4806@127.0.0.1>',
      `Call-ID: ${callId}`,
      'CSeq: 1 CANCEL',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    u.send(invite);
    u.send(cancel); // arrives while the join awaits the media thread
    expect((await u.final('CANCEL', 1)).status).toBe(200);
    const terminated = await u.final('INVITE', 1);
    expect(terminated.status).toBe(487);
    u.send(inDialogText(u, { method: 'ACK', number: '4806', callId, tag, toTag: String(terminated.headers.to.params.tag ?? ''), seq: 1 }).replace(/branch=z9hG4bK\w+/, `branch=${branch}`));
    await new Promise((r) => setTimeout(r, 500));
    expect(await participants(conf)).toEqual([]);
  });

  it('a caller whose RTP never comes is removed after the media timeout, with our BYE', async () => {
    const conf = (await createConference({ conference_numbers: ['4805'] })).id;
    const u = await ua();
    const { callId } = await call(u, '4805');
    await waitFor('listed', async () => (await participants(conf)).length === 1);
    const bye = await u.next('our BYE after the media timeout', (m) => m.method === 'BYE', 10_000);
    expect(bye.headers['call-id']).toBe(callId);
    await waitFor('gone', async () => (await participants(conf)).length === 0);
  }, 20_000);

  it('INVITEs beyond the per-source rate get 503 with Retry-After', async () => {
    const u = await ua('127.0.0.2'); // a source of its own: the limit is per source address
    for (let i = 0; i < 80; i++) u.send(inviteText(u, { number: '0000', callId: `${token()}@flood`, tag: token() }));
    const answers: SipMessage[] = [];
    for (let i = 0; i < 80; i++) answers.push(await u.next('an answer', (m) => (m.status ?? 0) >= 400));
    const limited = answers.filter((m) => m.status === 503);
    expect(limited.length).toBeGreaterThanOrEqual(80 - 40 - 5); // a burst of 40 at 20/s, a few refilled meanwhile
    expect(Number(limited[0].headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(answers.filter((m) => m.status === 404).length).toBeGreaterThan(0);
  });
});
