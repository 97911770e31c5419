// Which part of the frame's flow (see the GUIDE's diagram) a V8 profile node's self time belongs
// to. JS is placed by its own file; native code has no file, so it is placed by the roomtone
// file that called it: that is how libopus (linked into the addon) counts as decode or encode.

export const CATEGORIES = ['decode', 'encode', 'resample', 'srtp', 'socket', 'mix', 'packet', 'conference', 'gc', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];

export const LABELS: Record<Category, string> = {
  decode: 'decode (Opus/G.711)',
  encode: 'encode (Opus/G.711, shared)',
  resample: 'resample',
  srtp: 'SRTP',
  socket: 'socket I/O (dgram)',
  mix: 'mix kernel',
  packet: 'RTP/jitter/packet path',
  conference: 'conference/tick',
  gc: 'GC',
  other: 'other',
};

export interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

export interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

/** Compiled sources live under dist/src/<part>/<File>.js; tests run them from src/ as .ts. */
const SRC = /\/src\/([a-z]+)\/([A-Za-z0-9_]+)\.[cm]?[jt]s$/;
const SOCKET = /^node:(internal\/)?dgram$/;
/** V8's pseudo-frames: "(program)" is time in native code that no JS frame called, "(root)" the tree's top. */
const PSEUDO = /^\(.*\)$/;

function srcCategory(part: string, file: string, name: string): Category {
  switch (part) {
    case 'codecs':
      if (file === 'Resampler') return 'resample';
      // G711Codec, g711 and OpusStream hold both directions, so the function decides.
      if (/encod/i.test(name)) return 'encode';
      if (/decod|conceal/i.test(name)) return 'decode';
      // What is left (packet parsing, decoder state) serves the receiving side, except in an Encoder file.
      return /Encoder/.test(file) ? 'encode' : 'decode';
    case 'srtp':
      return 'srtp';
    case 'mixing':
      return 'mix';
    case 'media':
      return file === 'SharedEncodings' ? 'encode' : 'packet';
    case 'rtp':
    case 'transports':
      return 'packet';
    case 'conference':
    case 'clock':
    case 'host':
    case 'ports':
      return 'conference';
    default:
      return 'other';
  }
}

export interface ProfileIndex {
  category(id: number): Category;
  /** "name file:line" for listings; a native frame names the JS frame that called it. */
  label(id: number): string;
}

/** Indexes one profile's call tree; categories are memoised, as a deep tree asks about the same ancestors often. */
export function indexProfile(nodes: ProfileNode[]): ProfileIndex {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const memo = new Map<number, Category>();

  /** The nearest ancestor that is roomtone source or dgram: who a native or Node-internal frame works for. */
  const owner = (id: number): ProfileNode | null => {
    for (let p = parent.get(id); p !== undefined; p = parent.get(p)) {
      const n = byId.get(p)!;
      if (SOCKET.test(n.callFrame.url) || SRC.test(n.callFrame.url)) return n;
    }
    return null;
  };

  const decide = (n: ProfileNode): Category => {
    const { functionName: name, url } = n.callFrame;
    if (name === '(garbage collector)') return 'gc';
    if (SOCKET.test(url)) return 'socket';
    const m = SRC.exec(url);
    if (m) return srcCategory(m[1], m[2], name);
    if (url === '' && !PSEUDO.test(name)) {
      const o = owner(n.id);
      if (o === null) return 'other';
      if (SOCKET.test(o.callFrame.url)) return 'socket';
      const om = SRC.exec(o.callFrame.url)!;
      // The native's own name first: decode() called from OpusStream.decode and encode() from it differ.
      return srcCategory(om[1], om[2], `${name} ${o.callFrame.functionName}`);
    }
    // Node internals that dgram calls (emit on a received datagram, async-id scopes around send) are UDP cost.
    const o = url.startsWith('node:') ? owner(n.id) : null;
    return o !== null && SOCKET.test(o.callFrame.url) ? 'socket' : 'other';
  };

  const category = (id: number): Category => {
    let c = memo.get(id);
    if (c === undefined) {
      c = decide(byId.get(id)!);
      memo.set(id, c);
    }
    return c;
  };

  const label = (id: number): string => {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const name = functionName || '(anonymous)';
    if (url !== '') return `${name} ${shortUrl(url)}:${lineNumber + 1}`;
    if (PSEUDO.test(name)) return name;
    const p = parent.get(id);
    return p !== undefined && byId.get(p)!.callFrame.url !== '' ? `${name} (native, from ${label(p)})` : `${name} (native)`;
  };

  return { category, label };
}

function shortUrl(url: string): string {
  const i = url.indexOf('/dist/');
  if (i >= 0) return url.slice(i + 1);
  const j = url.indexOf('/node_modules/');
  return j >= 0 ? url.slice(j + 1) : url.replace(/^file:\/\//, '');
}
