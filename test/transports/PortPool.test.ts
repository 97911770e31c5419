// The RTP port pool: random pairs, a resting period after release, and each tenant's share.
import { describe, expect, it } from 'vitest';
import { QuotaError } from '../../src/errors.js';
import { PortPool, type BoundPorts } from '../../src/transports/PortPool.js';

const close = (ports: BoundPorts[]) => ports.forEach((p) => [p.rtp, p.rtcp].forEach((s) => s?.close()));

describe('PortPool', () => {
  it('hands out pairs at random: consecutive allocations are rarely neighbours', async () => {
    const pool = new PortPool({ min: 34000, max: 34999 }, '127.0.0.1'); // 500 pairs
    let adjacent = 0;
    const tries = 200;
    for (let i = 0; i < tries; i++) {
      const a = await pool.allocate(false);
      const b = await pool.allocate(false);
      if (Math.abs(a.rtpPort - b.rtpPort) === 2) adjacent++;
      expect(a.rtpPort % 2).toBe(0);
      close([a, b]);
      pool.release(a.rtpPort);
      pool.release(b.rtpPort);
    }
    // Lowest-free-first made every pair adjacent; at random, about 2 in 500.
    expect(adjacent / tries).toBeLessThan(0.05);
  });

  it('lets a tenant hold only its share, counts it back on release, and leaves the rest to others', async () => {
    const pool = new PortPool({ min: 34100, max: 34109 }, '127.0.0.1', 0.5); // 5 pairs, 2 per tenant
    const a1 = await pool.allocate(true, 'acct-a');
    const a2 = await pool.allocate(true, 'acct-a');
    const refused = await pool.allocate(true, 'acct-a').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(QuotaError);
    expect((refused as QuotaError).field).toBe('rtp_port_share');
    expect((refused as QuotaError).details).toEqual({ rtp_port_share: { quota: { message: expect.stringMatching(/2 of .* 5 RTP port pairs/), target: 2 } } });
    const b1 = await pool.allocate(true, 'acct-b');
    expect(pool.stats).toEqual({ pairs: 5, inUse: 3, cooling: 0 });
    close([a1]);
    pool.release(a1.rtpPort);
    expect(pool.stats).toEqual({ pairs: 5, inUse: 2, cooling: 1 });
    const a3 = await pool.allocate(true, 'acct-a');
    expect(a3.rtpPort).not.toBe(a1.rtpPort); // a released pair rests while others are free
    close([a2, a3, b1]);
  });

  it('hands out a resting pair when nothing else is free', async () => {
    const pool = new PortPool({ min: 34200, max: 34203 }, '127.0.0.1'); // 2 pairs
    const a = await pool.allocate(true);
    const b = await pool.allocate(true);
    await expect(pool.allocate(true)).rejects.toThrow(/no free RTP port/);
    close([a]);
    pool.release(a.rtpPort);
    const c = await pool.allocate(true);
    expect(c.rtpPort).toBe(a.rtpPort);
    close([b, c]);
  });
});

describe('ports of consecutive joins', () => {
  it('two consecutive joins into a conference get adjacent ports in under 5 % of 200 tries', async () => {
    const { Engine } = await import('../../src/engine/Engine.js');
    const { makeSdp, sdpPort } = await import('../helpers/rtpCraft.js');
    const engine = new Engine({ workers: 1, logging: 'silent', media: { ports: { min: 34300, max: 36299 } } });
    try {
      const conf = await engine.createConference({ rate: 48000, intervalMs: 20 });
      let adjacent = 0;
      for (let i = 0; i < 200; i++) {
        const a = await conf.addParticipant({ sdp: makeSdp({ port: 40000 + 2 * i }) });
        const b = await conf.addParticipant({ sdp: makeSdp({ port: 41000 + 2 * i }) });
        if (Math.abs(sdpPort(a.sdp!) - sdpPort(b.sdp!)) === 2) adjacent++;
        await a.kick();
        await b.kick();
      }
      console.log(`consecutive joins: ${adjacent} of 200 pairs adjacent`);
      expect(adjacent / 200).toBeLessThan(0.05);
    } finally {
      await engine.close();
    }
  }, 30_000);
});
