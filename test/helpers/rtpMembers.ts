// RTP clients joined to a conference of the real server through POST .../participants: each
// may say a tone and decodes what roomtone sends it, for tests that check what people hear.
import { afterEach } from 'vitest';
import { goertzelDb, sleep, tone } from './audio.js';
import { A, api, expectSuccess, master, partPath } from './apiSession.js';
import { RtpTestClient } from './RtpTestClient.js';

export const RATE = 48000;

export interface Member {
  client: RtpTestClient;
  id: number;
  callId: string;
}

const clients: RtpTestClient[] = [];
/** Closes every client a test opened (call once per test file). */
export function closeMembersAfterEach(): void {
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
}

let seed = 1000;
/** Joins an RTP client to conference `c`; it says `freq` (if given) for `seconds`. */
export async function member(
  c: string,
  freq: number | null,
  extra: Record<string, unknown> = {},
  opts: { seconds?: number; offer?: (offer: string) => string } = {},
): Promise<Member> {
  const client = await RtpTestClient.open({ seed: seed++ });
  clients.push(client);
  const offer = opts.offer ? opts.offer(client.offer) : client.offer;
  const data = expectSuccess(await api('POST', partPath(A, c), { data: { sdp: offer, ...extra } }, master.token), 201);
  client.connect(data.sdp);
  if (freq !== null) void client.sendSignal(tone(freq, RATE, opts.seconds ?? 10)).catch(() => {});
  return { client, id: data.participant_id, callId: data.call_id };
}

/** A sample index of what `m` has heard so far. */
export const mark = (m: Member) => m.client.decoded().length;

/** What `m` heard since `from`. */
export const heardSince = (m: Member, from: number) => m.client.decoded().subarray(from);

/** Level of `freq` in what `m` hears over the next `ms`, after `settle` ms for a change to take. */
export async function level(m: Member, freq: number, settle = 500, ms = 700): Promise<number> {
  await sleep(settle);
  const from = mark(m);
  await sleep(ms);
  return goertzelDb(heardSince(m, from), freq, RATE);
}

/** An RTP client that is not (yet) a member, e.g. one the conference will refuse. */
export async function rtpClient(): Promise<RtpTestClient> {
  const client = await RtpTestClient.open({ seed: seed++ });
  clients.push(client);
  return client;
}
