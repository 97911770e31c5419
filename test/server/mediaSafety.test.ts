// Media-plane safety through the API: offers that would aim media at a forbidden destination
// are 400s naming `sdp`, one account cannot hold every RTP port, and /metrics shows the pool.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectSuccess } from '../helpers/apiSession.js';
import { ffmpegOffer } from '../helpers/ffmpeg.js';
import { startServer, type Json, type ServerProcess } from '../helpers/serverProcess.js';

const RTP_PORTS = '31600-31609'; // five pairs: with a 50% share, two per account

let server: ServerProcess;
let master: { token: string; accountId: string };
let other: { id: string; token: string };

beforeAll(async () => {
  server = await startServer({ rtpPorts: RTP_PORTS, env: { ROOMTONE_RTP_PORT_SHARE: '50' } });
  master = await server.login(server.masterApiKey!);
  const created = await server.api('PUT', '/v2/accounts', { data: { name: 'other' } }, master.token);
  expect(created.status, created.text).toBe(201);
  other = { id: created.body.data.id, token: (await server.login(created.body.data.api_key)).token };
}, 30_000);

afterAll(async () => {
  if (server) await server.stop();
});

const confPath = (account: string, id = '') => `/v2/accounts/${account}/conferences${id ? `/${id}` : ''}`;

async function conference(account: string, token: string): Promise<string> {
  return expectSuccess(await server.api('PUT', confPath(account), { data: { name: 'safety' } }, token), 201).id as string;
}

function joinWith(account: string, token: string, conf: string, sdp: string) {
  return server.api('POST', `${confPath(account, conf)}/participants`, { data: { sdp } }, token);
}

/** An ffmpeg-style offer with its address and port replaced. */
function offerTo(address: string, port: number): string {
  return ffmpegOffer('opus', port).replace(/c=IN IP4 127\.0\.0\.1/g, `c=IN IP4 ${address}`);
}

describe('media destinations and the port pool, through the API', () => {
  it.each([
    ['0.0.0.0', 40000, /unspecified/],
    ['255.255.255.255', 40000, /broadcast/],
    ['239.1.2.3', 40000, /multicast/],
    ['127.0.0.1', 1, /below 1024/],
    ['127.0.0.1', 31600, /own RTP ports/],
    ['127.0.0.1', 31606, /own RTP ports/],
  ])('refuses an offer naming %s:%i with 400 naming sdp', async (address, port, reason) => {
    const conf = await conference(master.accountId, master.token);
    const r = await joinWith(master.accountId, master.token, conf, offerTo(address, port));
    const data = expectError(r, 400, ['sdp']);
    expect(JSON.stringify(data)).toMatch(reason);
  });

  it("refuses an offer naming the server's own HTTP port", async () => {
    const conf = await conference(master.accountId, master.token);
    const r = await joinWith(master.accountId, master.token, conf, offerTo('127.0.0.1', server.port));
    const data = expectError(r, 400, ['sdp']);
    expect(JSON.stringify(data)).toMatch(/own HTTP port/);
  });

  it('stops an account at its share of the RTP ports with a 409 naming the quota, while another account still joins', async () => {
    const mine = await conference(master.accountId, master.token);
    const theirs = await conference(other.id, other.token);
    let port = 42000;
    const joined: Json[] = [];
    for (let i = 0; i < 2; i++) joined.push(expectSuccess(await joinWith(master.accountId, master.token, mine, offerTo('127.0.0.1', (port += 2))), 201));
    const refused = await joinWith(master.accountId, master.token, mine, offerTo('127.0.0.1', (port += 2)));
    const data = expectError(refused, 409, ['rtp_port_share']);
    expect(data.rtp_port_share.quota.target).toBe(2);
    // The other account is not starved: the pool still has room for it.
    expectSuccess(await joinWith(other.id, other.token, theirs, offerTo('127.0.0.1', (port += 2))), 201);

    const metrics = (await server.api('GET', '/metrics')).text;
    expect(metrics).toMatch(/roomtone_rtp_port_pairs\{state="in_use"\} 3\b/);
    const gauge = (state: string) => Number(new RegExp(`roomtone_rtp_port_pairs\\{state="${state}"\\} (\\d+)`).exec(metrics)?.[1]);
    expect(gauge('free') + gauge('cooling')).toBe(2); // refused offers leave their pair resting a few seconds

    // Leaving gives the share back.
    expectSuccess(await server.api('PUT', `${confPath(master.accountId, mine)}/participants/${joined[0].participant_id}`, { data: { action: 'kick' } }, master.token));
    expectSuccess(await joinWith(master.accountId, master.token, mine, offerTo('127.0.0.1', (port += 2))), 201);
  });
});
