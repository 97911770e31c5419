// Drives ffmpeg as a SIP-style RTP participant: it sends a tone from one process and receives
// the mix in another (ffmpeg cannot receive on the port it sends from), described to roomtone
// by an SDP offer written the way ffmpeg's own SDP muxer writes one.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Conference } from '../../src/engine/Conference.js';
import type { Participant } from '../../src/engine/Participant.js';
import { goertzelDb } from './audio.js';
import { readWav } from './wav.js';

export type FfmpegCodec = 'opus' | 'PCMU';

/** An even UDP port whose odd neighbour is free too (ffmpeg puts RTCP on port + 1). */
export async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 40000 + 2 * Math.floor(Math.random() * 5000);
    if ((await canBind(port)) && (await canBind(port + 1))) return port;
  }
  throw new Error('no free UDP port pair');
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => resolve(false));
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

export function srtpKey(): string {
  return randomBytes(30).toString('base64');
}

const CODEC = {
  opus: { pt: 97, rtpmap: 'opus/48000/2', fmtp: 'a=fmtp:97 sprop-stereo=0', args: ['-c:a', 'libopus', '-b:a', '32k', '-ar', '48000'] },
  PCMU: { pt: 0, rtpmap: 'PCMU/8000', fmtp: '', args: ['-c:a', 'pcm_mulaw', '-ar', '8000'] },
} as const;

/**
 * The offer an ffmpeg participant makes: it receives on `recvPort`, optionally SRTP with `key`;
 * with `rtcpMux` it offers a=rtcp-mux (its sender then gives `rtcpPort` = our port, see startSender).
 */
export function ffmpegOffer(codec: FfmpegCodec, recvPort: number, key?: string, o: { rtcpMux?: boolean } = {}): string {
  const c = CODEC[codec];
  return [
    'v=0',
    'o=- 0 0 IN IP4 127.0.0.1',
    's=No Name',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    'a=tool:libavformat',
    `m=audio ${recvPort} RTP/AVP ${c.pt}`,
    `a=rtpmap:${c.pt} ${c.rtpmap}`,
    ...(c.fmtp ? [c.fmtp] : []),
    ...(key ? [`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key}`] : []),
    ...(o.rtcpMux ? ['a=rtcp-mux'] : []),
    '',
  ].join('\r\n');
}

/** What the receiving ffmpeg reads: our answer, but listening on its own port. */
export function receiverSdp(answer: string, recvPort: number): string {
  return answer
    .split(/\r?\n/)
    .filter((l) => !l.startsWith('a=rtcp') && !l.startsWith('a=ssrc'))
    .map((l) => (l.startsWith('m=audio ') ? l.replace(/^m=audio \d+/, `m=audio ${recvPort}`) : l))
    .join('\r\n');
}

export interface Processes {
  children: ChildProcess[];
  kill(): void;
}

export function processes(): Processes {
  const children: ChildProcess[] = [];
  return {
    children,
    kill: () => {
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    },
  };
}

/**
 * Sends `seconds` of a sine (or a WAV file) to roomtone's port from `fromPort` (RTCP from
 * fromPort + 1). RTCP goes to roomtone's port + 1 unless `rtcpPort` is given: a client honouring
 * a=rtcp-mux gives roomtone's RTP port there, as users of ffmpeg do.
 */
export function startSender(
  procs: Processes,
  o: { codec: FfmpegCodec; freq?: number; input?: string; toPort: number; fromPort: number; seconds: number; key?: string; rtcpPort?: number },
): ChildProcess {
  const input = o.input ? ['-i', o.input] : ['-f', 'lavfi', '-i', `aevalsrc=0.25*sin(2*PI*${o.freq}*t):s=48000`];
  const srtp = o.key ? ['-srtp_out_suite', 'AES_CM_128_HMAC_SHA1_80', '-srtp_out_params', o.key] : [];
  const scheme = o.key ? 'srtp' : 'rtp';
  const args = [
    '-hide_banner', '-loglevel', 'error', '-re', ...input, '-t', String(o.seconds), '-ac', '1',
    ...CODEC[o.codec].args, '-payload_type', String(CODEC[o.codec].pt), ...srtp,
    '-f', 'rtp', `${scheme}://127.0.0.1:${o.toPort}?localrtpport=${o.fromPort}&localrtcpport=${o.fromPort + 1}${o.rtcpPort ? `&rtcpport=${o.rtcpPort}` : ''}`,
  ];
  const child = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  procs.children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  child.on('exit', (code) => {
    if (code !== 0 && code !== null) console.error(`ffmpeg sender to ${o.toPort} exited with ${code}: ${stderr.slice(-500)}`);
  });
  return child;
}

/** Receives what roomtone sends into a 48 kHz mono WAV; resolves when ffmpeg exits. */
export function startReceiver(procs: Processes, o: { sdp: string; dir: string; name: string; seconds: number }): Promise<string> {
  const sdpPath = join(o.dir, `${o.name}.sdp`);
  const wav = join(o.dir, `${o.name}.wav`);
  writeFileSync(sdpPath, o.sdp);
  const args = [
    '-hide_banner', '-loglevel', 'error', '-protocol_whitelist', 'file,udp,rtp,srtp', '-i', sdpPath,
    '-t', String(o.seconds), '-ac', '1', '-ar', '48000', '-c:a', 'pcm_s16le', '-y', wav,
  ];
  const child = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  procs.children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), (o.seconds + 15) * 1000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(wav);
      else reject(new Error(`ffmpeg receiver ${o.name} exited with ${code}: ${stderr.slice(-500)}`));
    });
  });
}

export interface FfmpegPerson {
  freq: number;
  codec: FfmpegCodec;
  srtp: boolean;
}

/** Three senders that each test of a mixed conference uses: plain Opus, PCMU, and SDES-SRTP Opus. */
export const THREE_TONES: readonly FfmpegPerson[] = [
  { freq: 440, codec: 'opus', srtp: false },
  { freq: 660, codec: 'PCMU', srtp: false },
  { freq: 880, codec: 'opus', srtp: true },
];

export interface FfmpegParticipant extends FfmpegPerson {
  participant: Participant;
  /** Where its ffmpeg receiver listens, and where its ffmpeg sender sends from. */
  recvPort: number;
  sendPort: number;
  key: string | undefined;
  /** Our answer, and the RTP port in it. */
  answer: string;
  ourPort: number;
}

/** Joins an ffmpeg participant by its offer (SDES key when `srtp`), with ports for its receiver and sender. */
export async function joinFfmpeg(conf: Conference, person: FfmpegPerson, o: { rtcpMux?: boolean } = {}): Promise<FfmpegParticipant> {
  const recvPort = await freePortPair();
  const sendPort = await freePortPair();
  const key = person.srtp ? srtpKey() : undefined;
  const participant = await conf.addParticipant({ sdp: ffmpegOffer(person.codec, recvPort, key, o) });
  const answer = participant.sdp!;
  return { ...person, participant, recvPort, sendPort, key, answer, ourPort: Number(/m=audio (\d+)/.exec(answer)![1]) };
}

/**
 * Over the last 3 s of each listener's WAV (every sender running): the others' tones above
 * -30 dBFS and its own at least 20 dB under them. Returns a report line per listener.
 */
export function expectEachHearsTheOthers(wavs: string[], listeners: { name: string; freq: number }[]): string[] {
  return listeners.map((l, i) => {
    const { rate, samples } = readWav(wavs[i]);
    const tail = samples.subarray(samples.length - rate * 3);
    const levels = listeners.map((o) => goertzelDb(tail, o.freq, rate));
    const others = levels.filter((_, k) => k !== i);
    for (const other of others) expect(other, `${l.name} hears the others`).toBeGreaterThan(-30);
    expect(Math.min(...others) - levels[i], `${l.name}: own tone at least 20 dB below the others`).toBeGreaterThanOrEqual(20);
    return `${l.name} ${l.freq} Hz (${(samples.length / rate).toFixed(2)} s) hears ${listeners.map((o, k) => `${o.freq}:${levels[k].toFixed(1)}`).join(' ')} dBFS`;
  });
}
