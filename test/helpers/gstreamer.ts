// Drives GStreamer (gst-launch-1.0) as an SDES-SRTP Opus participant: one pipeline sends a tone
// (audiotestsrc ! opusenc ! rtpopuspay ! srtpenc ! udpsink), another receives the mix
// (udpsrc ! srtpdec ! rtpopusdepay ! opusdec ! wavenc). gst-launch cannot answer srtpdec's
// request-key signal, so the receiver hands srtpdec everything through the caps on udpsrc:
// roomtone's SSRC, key, suite and ROC 0.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Processes } from './ffmpeg.js';

export const GST_OPUS_PT = 96;

/** AES_CM_128_HMAC_SHA1_80 master key and salt (16 + 14 bytes), as SDES and GStreamer spell them. */
export interface GstSrtpKey {
  raw: Buffer;
  /** For a=crypto inline: */
  base64: string;
  /** For srtpenc's key property and srtpdec's srtp-key caps field (a GstBuffer is written as hex). */
  hex: string;
}

export function gstSrtpKey(raw: Buffer = randomBytes(30)): GstSrtpKey {
  if (raw.length !== 30) throw new Error(`AES_CM_128_HMAC_SHA1_80 needs 30 bytes of key and salt, got ${raw.length}`);
  return { raw, base64: raw.toString('base64'), hex: raw.toString('hex') };
}

/** An a=crypto line's key from an answer, and the answer's SSRC: what srtpdec needs in its caps. */
export function answerSrtpParams(answer: string): { key: GstSrtpKey; ssrc: number } {
  const crypto = /^a=crypto:\d+ (?:SRTP_)?AES_?(?:CM_)?128_(?:CM_)?HMAC_SHA1_80 inline:([A-Za-z0-9+/=]+)/m.exec(answer);
  if (crypto === null) throw new Error(`answer has no AES_CM_128_HMAC_SHA1_80 a=crypto line:\n${answer}`);
  const ssrc = /^a=ssrc:(\d+) /m.exec(answer);
  if (ssrc === null) throw new Error(`answer has no a=ssrc line:\n${answer}`);
  return { key: gstSrtpKey(Buffer.from(crypto[1], 'base64')), ssrc: Number(ssrc[1]) };
}

/** The offer a GStreamer participant makes: Opus over RTP/SAVP, receiving on `recvPort`, sending as `ssrc`. */
export function gstreamerOffer(recvPort: number, key: GstSrtpKey, ssrc: number): string {
  return [
    'v=0',
    'o=- 0 0 IN IP4 127.0.0.1',
    's=gst-launch',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${recvPort} RTP/SAVP ${GST_OPUS_PT}`,
    `a=rtpmap:${GST_OPUS_PT} opus/48000/2`,
    `a=fmtp:${GST_OPUS_PT} sprop-stereo=0`,
    'a=ptime:20',
    'a=sendrecv',
    `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key.base64}`,
    `a=ssrc:${ssrc} cname:gst-launch`,
    '',
  ].join('\r\n');
}

interface Launched {
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal) and the tail of the output. */
  exited: Promise<{ code: number | null; output: string }>;
}

function launch(procs: Processes, pipeline: string[], hardTimeoutMs: number): Launched {
  // -e: on EOS (or SIGINT) shut down cleanly, so wavenc rewrites its header with the data size.
  const child = spawn('gst-launch-1.0', ['-q', '-e', ...pipeline], { stdio: ['ignore', 'pipe', 'pipe'] });
  procs.children.push(child);
  let output = '';
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-4000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<{ code: number | null; output: string }>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), hardTimeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
  return { child, exited };
}

/** Sends `seconds` of a sine at `freq` as SRTP Opus (pt 96, 20 ms) from `fromPort` to `toPort`. */
export function startGstSender(
  procs: Processes,
  o: { freq: number; toPort: number; fromPort: number; seconds: number; key: GstSrtpKey; ssrc: number },
): Launched {
  const buffers = Math.round((o.seconds * 48000) / 960);
  const pipeline = [
    'audiotestsrc', 'is-live=true', 'wave=sine', `freq=${o.freq}`, 'volume=0.25', 'samplesperbuffer=960', `num-buffers=${buffers}`,
    '!', 'audio/x-raw,rate=48000,channels=1',
    '!', 'opusenc', 'bitrate=32000', 'frame-size=20',
    '!', 'rtpopuspay', `pt=${GST_OPUS_PT}`, `ssrc=${o.ssrc}`,
    '!', 'srtpenc', `key=${o.key.hex}`, 'rtp-cipher=aes-128-icm', 'rtp-auth=hmac-sha1-80', 'rtcp-cipher=aes-128-icm', 'rtcp-auth=hmac-sha1-80',
    '!', 'udpsink', 'host=127.0.0.1', `port=${o.toPort}`, `bind-address=127.0.0.1`, `bind-port=${o.fromPort}`, 'sync=false', 'async=false',
  ];
  const launched = launch(procs, pipeline, (o.seconds + 15) * 1000);
  void launched.exited.then(({ code, output }) => {
    if (code !== 0 && code !== null) console.error(`gst sender to ${o.toPort} exited with ${code}: ${output.slice(-500)}`);
  });
  return launched;
}

/** The caps srtpdec reads its key from (it asks by signal otherwise, which gst-launch cannot answer). */
export function srtpCaps(o: { ssrc: number; key: GstSrtpKey; payloadType?: number }): string {
  return [
    'application/x-srtp',
    'media=(string)audio',
    'clock-rate=(int)48000',
    'encoding-name=(string)OPUS',
    `payload=(int)${o.payloadType ?? GST_OPUS_PT}`,
    `ssrc=(uint)${o.ssrc >>> 0}`,
    `srtp-key=(buffer)${o.key.hex}`,
    'srtp-cipher=(string)aes-128-icm',
    'srtp-auth=(string)hmac-sha1-80',
    'srtcp-cipher=(string)aes-128-icm',
    'srtcp-auth=(string)hmac-sha1-80',
    'roc=(uint)0',
  ].join(', ');
}

/**
 * Receives `packets` SRTP packets (20 ms each) of roomtone's Opus on `port` into a 48 kHz mono WAV;
 * resolves with its path when gst-launch exits cleanly. Waiting for packets to arrive is bounded.
 */
export async function startGstReceiver(
  procs: Processes,
  o: { port: number; ssrc: number; key: GstSrtpKey; payloadType?: number; dir: string; name: string; seconds: number },
): Promise<string> {
  const wav = join(o.dir, `${o.name}.wav`);
  const packets = Math.round((o.seconds * 1000) / 20);
  const pipeline = [
    'udpsrc', 'address=127.0.0.1', `port=${o.port}`, `num-buffers=${packets}`, `caps="${srtpCaps(o)}"`,
    '!', 'srtpdec',
    '!', 'rtpjitterbuffer', 'latency=60',
    '!', 'rtpopusdepay',
    '!', 'opusdec', 'plc=true',
    '!', 'audioconvert', '!', 'audioresample',
    '!', 'audio/x-raw,format=S16LE,rate=48000,channels=1',
    '!', 'wavenc', '!', 'filesink', `location=${wav}`,
  ];
  const { code, output } = await launch(procs, pipeline, (o.seconds + 15) * 1000).exited;
  if (code !== 0) throw new Error(`gst receiver ${o.name} exited with ${code}: ${output.slice(-800)}`);
  return wav;
}
