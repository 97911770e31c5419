// Twilio-style status callbacks from the real server to an HTTP server on 127.0.0.1.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../helpers/audio.js';
import { A, api, createConference, expectSuccess, useApiServer } from '../helpers/apiSession.js';
import { closeMembersAfterEach, member } from '../helpers/rtpMembers.js';
import { waitFor } from '../helpers/serverProcess.js';

useApiServer('30800-30899', { ROOMTONE_FETCH_ALLOW: '127.0.0.0/8' }); // the test's HTTP servers are on loopback

let receiver: Server;
let hanging: Server;
const received: URLSearchParams[] = [];
const hung: IncomingMessage[] = [];
const url = (s: Server, path: string) => `http://127.0.0.1:${(s.address() as AddressInfo).port}${path}`;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push(new URLSearchParams(body));
      res.end('ok');
    });
  });
  hanging = createServer((req) => void hung.push(req)); // never answers
  await Promise.all([receiver, hanging].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
});
afterAll(async () => {
  for (const req of hung) req.socket.destroy();
  await Promise.all([receiver, hanging].map((s) => new Promise((r) => s.close(r))));
});

closeMembersAfterEach();
const talker = (conf: string, freq: number) => member(conf, freq, {}, { seconds: 4 });

async function lateness(): Promise<number> {
  const health = expectSuccess(await api('GET', '/v2/health'));
  return Math.max(...health.hosts.map((h: { scheduler: { lateness: { p99: number } } }) => h.scheduler.lateness.p99));
}

describe('status callbacks', () => {
  it('sends participant-join then participant-speech-start, in order, with Twilio parameters', async () => {
    const conf = (await createConference({ name: 'cb', member: { join_muted: false }, status_callback: { url: url(receiver, '/cb') } })).id;
    const joined = await talker(conf, 523);
    const events = await waitFor('participant-speech-start', () => {
      const names = received.map((p) => p.get('StatusCallbackEvent'));
      return names.includes('participant-speech-start') && names;
    });
    // Alone, the caller has not started the conference (seed 004: two parties are needed).
    expect(events.slice(0, 2)).toEqual(['participant-join', 'participant-speech-start']);
    expect(events).not.toContain('conference-start');
    const join = received.find((p) => p.get('StatusCallbackEvent') === 'participant-join')!;
    expect(join.get('ConferenceSid')).toBe(conf);
    expect(join.get('AccountSid')).toBe(A);
    expect(join.get('FriendlyName')).toBe('cb');
    expect(join.get('CallSid')).toBe(joined.callId);
    expect(join.get('Muted')).toBe('false');
    expect(Number(received[1].get('SequenceNumber'))).toBeGreaterThan(Number(received[0].get('SequenceNumber')));
  }, 20_000);

  it('a callback server that hangs does not delay the mix: tick lateness stays as it was', async () => {
    const quiet = (await createConference({ member: { join_muted: false } })).id;
    await talker(quiet, 659);
    await sleep(1500);
    const before = await lateness();
    const conf = (await createConference({ member: { join_muted: false }, status_callback: { url: url(hanging, '/hang') } })).id;
    await talker(conf, 784);
    await talker(conf, 880);
    await waitFor('the hanging endpoint was called', () => hung.length > 0);
    await sleep(1500);
    const during = await lateness();
    console.log(`tick lateness p99: ${before.toFixed(2)} ms before, ${during.toFixed(2)} ms with a hanging callback endpoint`);
    expect(during).toBeLessThan(Math.max(5, before * 2));
  }, 20_000);
});
