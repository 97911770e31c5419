// The outbound-fetch guard through the real server process, as an account meets it: without
// --fetch-allow, neither `play` of a media URL nor a status callback reaches an HTTP server on
// loopback. The guard's finer cases (redirects, localhost, rebinding, one failure message) are
// tested at the level of the request itself: test/net/guardedHttp.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { sleep, tone } from '../helpers/audio.js';
import { A, act, confPath, createConference, expectError, expectSuccess, join, partPath, server, useApiServer } from '../helpers/apiSession.js';
import { httpTarget, type HttpTarget } from '../helpers/httpTarget.js';
import { logLines, waitFor } from '../helpers/serverProcess.js';
import { wavBytes } from '../helpers/wav.js';

// Empty is the default; set anyway so that a ROOMTONE_FETCH_ALLOW in the caller's environment cannot leak in.
useApiServer('31200-31249', { ROOMTONE_FETCH_ALLOW: '' });

let targets: HttpTarget[] = [];
afterEach(async () => {
  for (const t of targets.splice(0)) await t.close();
});
async function loopbackServer(): Promise<HttpTarget> {
  const t = await httpTarget((_, res) => void res.writeHead(200, { 'content-type': 'audio/wav' }).end(wavBytes(tone(700, 22050, 1), 22050)));
  targets.push(t);
  return t;
}

describe('outbound fetches from the server process, without --fetch-allow', () => {
  it('play of a media URL on loopback: 400 naming url, "address not allowed", and the URL never fetched', async () => {
    const files = await loopbackServer();
    const conf = (await createConference({ play_entry_tone: false })).id;
    await join(conf);
    const r = await act(confPath(A, conf), 'play', { media_id: `${files.url}/hello.wav` });
    const data = expectError(r, 400, ['url']);
    expect(JSON.stringify(data)).toMatch(/address not allowed/);
    expect(JSON.stringify(data)).not.toContain('127.0.0.1'); // the address it resolved to is not told
    expect(files.connections).toBe(0);
  }, 20_000);

  it('a status callback URL on loopback is never called', async () => {
    const receiver = await loopbackServer();
    const conf = (await createConference({ status_callback: { url: `${receiver.url}/cb` } })).id;
    const joined = await join(conf);
    expectSuccess(await act(partPath(A, conf, joined.participant_id), 'kick'));
    // Each callback is refused at once, not retried, and logged: wait for the join's and the leave's.
    const refusals = () =>
      logLines(server.stdout()).filter((l) => l.msg === 'status callback failed' && l.conferenceId === conf && /address not allowed/.test(l.error));
    const refused = await waitFor('the refused callbacks in the log', () => refusals().length >= 2 && refusals(), 5000);
    expect(refused.every((l) => l.attempts === 1)).toBe(true);
    await sleep(1000); // nothing later either (a retry would come after 0.5 s)
    expect(receiver.connections).toBe(0);
  }, 20_000);
});
