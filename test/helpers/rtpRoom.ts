// Shared set-up of the RTP feature tests: a conference with a memory talker and listener, RTP
// peers answering our offers, paced senders, and cleanup of everything a test opened.
import type { Socket } from 'node:dgram';
import { expect } from 'vitest';
import type { Conference } from '../../src/engine/Conference.js';
import type { Engine } from '../../src/engine/Engine.js';
import type { Participant } from '../../src/engine/Participant.js';
import type { MemoryPort } from '../../src/ports/MemoryPort.js';
import { sleep, tone } from './audio.js';
import { makeSdp, Pacer, prng, randomInt, RtpPeer, RtpStream, sdpCrypto, sdpPort, windowLevels, type OfferOptions } from './rtpCraft.js';

export const report: string[] = [];
export const rand = prng(0xfea7);
export const newStream = (payloadType = 111) =>
  new RtpStream({ ssrc: randomInt(rand, 1, 0xfffffffe), seq: randomInt(rand, 0, 0xffff), ts: randomInt(rand, 0, 0xffffffff), payloadType });

/** Cleanup registry: every test's sockets, pacers and conferences go at its end. */
export const open: { peers: RtpPeer[]; pacers: Pacer[]; confs: Conference[]; sockets: Socket[] } = { peers: [], pacers: [], confs: [], sockets: [] };
/** Closes every test's sockets, pacers and conferences (register with afterEach). */
export async function cleanup(): Promise<void> {
  for (const p of open.pacers.splice(0)) p.stop();
  for (const c of open.confs.splice(0)) await c.close();
  for (const p of open.peers.splice(0)) await p.close();
  for (const s of open.sockets.splice(0)) s.close();
}

export interface Room {
  conf: Conference;
  listener: MemoryPort;
}

/** A conference with a 660 Hz talker (T) and a silent listener (L), both in memory. */
export async function room(engine: Engine): Promise<Room> {
  const conf = await engine.createConference({ rate: 48000, intervalMs: 20, energyLevel: 50 });
  open.confs.push(conf);
  const talker = conf.createMemoryPort();
  talker.writeSignal(tone(660, 48000, 20));
  await conf.addParticipant({ port: talker });
  const listener = conf.createMemoryPort();
  await conf.addParticipant({ port: listener });
  return { conf, listener };
}

/** An RTP participant answering our offer; the peer's destination is set from the answer. */
export async function joinRtp(conf: Conference, offer: Omit<OfferOptions, 'port'> = {}): Promise<{ peer: RtpPeer; p: Participant; answer: string }> {
  const peer = await RtpPeer.open();
  open.peers.push(peer);
  const p = await conf.addParticipant({ sdp: makeSdp({ ...offer, port: peer.port }) });
  const answer = p.sdp!;
  peer.dest = { address: '127.0.0.1', port: sdpPort(answer) };
  if (offer.key) peer.setKeys(offer.key, sdpCrypto(answer));
  return { peer, p, answer };
}

export function pace(onTick: (k: number) => void, maxTicks: number): Pacer {
  const pacer = new Pacer(onTick, { maxTicks }).start();
  open.pacers.push(pacer);
  return pacer;
}

export function expectTone(signal: Int16Array, freq: number, what: string, minDb = -30): number {
  const levels = windowLevels(signal, freq);
  expect(levels.length, `${what}: windows`).toBeGreaterThan(0);
  for (const [i, db] of levels.entries()) expect(db, `${what}: ${freq} Hz in 100 ms window ${i}`).toBeGreaterThan(minDb);
  return Math.min(...levels);
}

export function expectNoTone(signal: Int16Array, freq: number, what: string, maxDb = -50): number {
  const levels = windowLevels(signal, freq);
  expect(levels.length, `${what}: windows`).toBeGreaterThan(0);
  for (const [i, db] of levels.entries()) expect(db, `${what}: ${freq} Hz in 100 ms window ${i}`).toBeLessThan(maxDb);
  return Math.max(...levels);
}

export function waitFor<T>(what: string, ms: number, register: (resolve: (v: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    register((v) => {
      clearTimeout(timer);
      resolve(v);
    });
  });
}

export async function until(what: string, ms: number, check: () => boolean | Promise<boolean>): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
}
