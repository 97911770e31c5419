// Which of the formats on an m= line we can use: codec matching (RFC 3551 static types, RFC 7587
// opus), opus fmtp, telephone-event (RFC 4733) and the packetisation we send at.
import type { MediaDescription } from 'sdp-transform';
import type { CodecName, NegotiatedCodec, OpusParameters } from './NegotiatedMedia.js';

/** Payload types of an m= line, in order (sdp-transform gives a number when there is only one). */
export function payloadTypes(media: MediaDescription): number[] {
  const raw = (media as { payloads?: unknown }).payloads;
  if (raw === undefined || raw === null || String(raw).trim() === '') return [];
  return String(raw).trim().split(/\s+/).map(Number).filter((n) => Number.isInteger(n) && n >= 0 && n <= 127);
}

export interface OfferedFormat {
  pt: number;
  /** Encoding name as written (or the RFC 3551 static name); '' when a dynamic type has no rtpmap. */
  name: string;
  rate?: number;
  channels?: number;
  fmtp?: string;
}

const STATIC_TYPES: Record<number, [string, number, number?]> = {
  0: ['PCMU', 8000], 3: ['GSM', 8000], 4: ['G723', 8000], 5: ['DVI4', 8000], 6: ['DVI4', 16000],
  7: ['LPC', 8000], 8: ['PCMA', 8000], 9: ['G722', 8000], 10: ['L16', 44100, 2], 11: ['L16', 44100],
  12: ['QCELP', 8000], 13: ['CN', 8000], 14: ['MPA', 90000], 15: ['G728', 8000], 16: ['DVI4', 11025],
  17: ['DVI4', 22050], 18: ['G729', 8000],
};

/** The formats of an m= line in its order, each with its rtpmap (or static meaning) and fmtp. */
export function offeredFormats(media: MediaDescription): OfferedFormat[] {
  return payloadTypes(media).map((pt) => {
    const map = (media.rtp ?? []).find((r) => Number(r.payload) === pt);
    const fmtp = (media.fmtp ?? []).filter((f) => Number(f.payload) === pt).pop()?.config;
    const f: OfferedFormat = { pt, name: '' };
    if (map !== undefined) {
      f.name = String(map.codec);
      if (map.rate !== undefined) f.rate = Number(map.rate);
      if (map.encoding !== undefined) f.channels = Number(map.encoding);
    } else if (STATIC_TYPES[pt] !== undefined) {
      const [name, rate, channels] = STATIC_TYPES[pt];
      f.name = name;
      f.rate = rate;
      if (channels !== undefined) f.channels = channels;
    }
    if (fmtp !== undefined) f.fmtp = String(fmtp);
    return f;
  });
}

export function describeFormats(formats: OfferedFormat[]): string {
  if (formats.length === 0) return 'no formats';
  return formats
    .map((f) => (f.name === '' ? `${f.pt} (no rtpmap)` : `${f.name}/${f.rate ?? '?'}${f.channels !== undefined ? `/${f.channels}` : ''} (${f.pt})`))
    .join(', ');
}

/** The codec a format is, if it is one we implement exactly as RFC 3551 / RFC 7587 define it. */
export function matchCodec(f: OfferedFormat): CodecName | undefined {
  const name = f.name.toLowerCase();
  if (name === 'opus') return f.rate === 48000 && f.channels === 2 ? 'opus' : undefined;
  const mono = f.channels === undefined || f.channels === 1;
  if (name === 'pcmu' && f.rate === 8000 && mono) return 'PCMU';
  if (name === 'pcma' && f.rate === 8000 && mono) return 'PCMA';
  return undefined;
}

/**
 * The first format (in the remote's order) that is a codec we accept; `prefer`, when offered,
 * wins (a re-offer keeps the running codec).
 */
export function chooseCodec(formats: OfferedFormat[], accept: readonly CodecName[], prefer?: CodecName): { format: OfferedFormat; name: CodecName } | undefined {
  const usable: { format: OfferedFormat; name: CodecName }[] = [];
  for (const format of formats) {
    const name = matchCodec(format);
    if (name !== undefined && accept.includes(name)) usable.push({ format, name });
  }
  return usable.find((u) => u.name === prefer) ?? usable[0];
}

export function negotiatedCodec(name: CodecName, format: OfferedFormat): NegotiatedCodec {
  if (name !== 'opus') return { name, payloadType: format.pt, clockRate: 8000, channels: 1 };
  return { name, payloadType: format.pt, clockRate: 48000, channels: 1, opus: opusParameters(format.fmtp) };
}

/** RFC 7587 §7.1 parameters the remote (as a receiver) asks of our encoder. */
export function opusParameters(fmtp: string | undefined): OpusParameters {
  const params = new Map<string, string>();
  for (const part of (fmtp ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) params.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  const p: OpusParameters = {
    useInbandFec: params.get('useinbandfec') === '1',
    useDtx: params.get('usedtx') === '1',
    stereo: params.get('stereo') === '1',
  };
  const rate = Number(params.get('maxaveragebitrate'));
  if (params.has('maxaveragebitrate') && Number.isFinite(rate) && rate > 0) {
    p.maxAverageBitrate = Math.min(510_000, Math.max(6000, Math.round(rate)));
  }
  return p;
}

/**
 * telephone-event at the codec's clock rate; with opus, telephone-event/8000 when that is all
 * there is (older SIP stacks pair it with opus). G.711 takes only /8000.
 */
export function chooseTelephoneEvent(formats: OfferedFormat[], clockRate: number): { payloadType: number; clockRate: number } | undefined {
  const events = formats.filter((f) => f.name.toLowerCase() === 'telephone-event');
  const f = events.find((e) => e.rate === clockRate) ?? (clockRate === 48000 ? events.find((e) => e.rate === 8000) : undefined);
  return f === undefined ? undefined : { payloadType: f.pt, clockRate: f.rate as number };
}

const OPUS_PTIMES = [10, 20, 40, 60];
const G711_PTIMES = [10, 20, 30, 40, 50, 60];

/**
 * The packetisation we send at: the remote's a=ptime, or 20, moved to the nearest value the codec
 * allows (ties to the shorter) and not above a=maxptime.
 */
export function sendPtime(codec: CodecName, ptime: unknown, maxptime: unknown): number {
  const allowed = codec === 'opus' ? OPUS_PTIMES : G711_PTIMES;
  const max = positive(maxptime);
  const choices = max !== undefined && max >= allowed[0] ? allowed.filter((a) => a <= max) : allowed;
  const want = positive(ptime) ?? 20;
  let best = choices[0];
  for (const a of choices) if (Math.abs(a - want) < Math.abs(best - want)) best = a;
  return best;
}

function positive(v: unknown): number | undefined {
  const n = Number(v);
  return v !== undefined && v !== null && Number.isFinite(n) && n > 0 ? n : undefined;
}

/** a=rtpmap / a=fmtp lines for the codec and telephone-event in an SDP we write. */
export function codecLines(codec: NegotiatedCodec, te: { payloadType: number; clockRate: number } | undefined): string[] {
  const lines: string[] = [];
  if (codec.name === 'opus') {
    lines.push(`a=rtpmap:${codec.payloadType} opus/48000/2`);
    lines.push(`a=fmtp:${codec.payloadType} ${codec.opus?.useInbandFec === true ? 'useinbandfec=1;' : ''}stereo=0;sprop-stereo=0`);
  } else {
    lines.push(`a=rtpmap:${codec.payloadType} ${codec.name}/8000`);
  }
  if (te !== undefined) lines.push(`a=rtpmap:${te.payloadType} telephone-event/${te.clockRate}`, `a=fmtp:${te.payloadType} 0-16`);
  return lines;
}
