// HTTP Digest for SIP (RFC 3261 §22.4 on RFC 7616): SHA-256 and MD5, qop=auth or none. The `sip`
// package's digest.js is MD5-only, so both ends are here. Header objects are in the package's
// shape: {scheme:'Digest', realm:'"x"', qop:'auth', ...}, quoted values kept quoted.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** A parsed (WWW-|Proxy-)Authenticate or (Proxy-)Authorization header, as the `sip` package gives it. */
export type AuthHeader = Record<string, string | undefined>;
export type DigestVerdict = 'ok' | 'stale' | 'bad';

/** Anything longer is refused unread: real fields are far shorter, and hashing is not free. */
export const MAX_FIELD = 512;

const HASHES = {
  'md5': { name: 'md5', sess: false },
  'md5-sess': { name: 'md5', sess: true },
  'sha-256': { name: 'sha256', sess: false },
  'sha-256-sess': { name: 'sha256', sess: true },
} as const;

/** An algorithm token, lower-cased. */
export type DigestAlgorithm = keyof typeof HASHES;

const isAlgorithm = (a: string): a is DigestAlgorithm => Object.hasOwn(HASHES, a);

const hex = (alg: string, s: string): string => createHash(alg).update(s, 'utf8').digest('hex');

export const quote = (s: string): string => '"' + s.replace(/["\\]/g, '\\$&') + '"';
export const unquote = (s: string): string =>
  s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1).replace(/\\(.)/g, '$1') : s;

/**
 * The header's parameters unquoted under lower-case names (RFC 7616 names are case-insensitive),
 * or undefined when it is not a Digest header or any field is oversized or not a string.
 */
function digestParams(h: unknown): Map<string, string> | undefined {
  if (typeof h !== 'object' || h === null || Array.isArray(h)) return undefined;
  const scheme: unknown = (h as AuthHeader).scheme;
  if (typeof scheme !== 'string' || scheme.toLowerCase() !== 'digest') return undefined;
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined || k === 'scheme') continue;
    if (typeof v !== 'string' || v.length > MAX_FIELD) return undefined;
    out.set(k.toLowerCase(), unquote(v));
  }
  return out;
}

export interface DigestInput {
  algorithm: DigestAlgorithm;
  username: string; realm: string; password: string;
  method: string; uri: string; nonce: string;
  qop?: string; nc?: string; cnonce?: string;
}

/** The request-digest of RFC 7616 §3.4.1 (without qop: RFC 2069's, which RFC 3261 still allows). */
export function digestResponse(i: DigestInput): string {
  const { name, sess } = HASHES[i.algorithm];
  let ha1 = hex(name, `${i.username}:${i.realm}:${i.password}`);
  if (sess) ha1 = hex(name, `${ha1}:${i.nonce}:${i.cnonce ?? ''}`);
  const ha2 = hex(name, `${i.method}:${i.uri}`);
  return i.qop === undefined
    ? hex(name, `${ha1}:${i.nonce}:${ha2}`)
    : hex(name, `${ha1}:${i.nonce}:${i.nc}:${i.cnonce}:${i.qop}:${ha2}`);
}

export interface DigestVerifierOptions {
  realm: string;
  nonceTtlMs?: number;
  /** What is offered, most preferred first (default SHA-256 then MD5): some phones give up on any challenge but MD5. */
  algorithms?: readonly ('SHA-256' | 'MD5')[];
  /** Wall clock in ms; injectable for tests. */
  now?: () => number;
}

const NONCE_RE = /^[A-Za-z0-9_-]{38}$/; // 6 bytes of timestamp, 6 of salt, 16 of MAC

/**
 * Challenges callers and checks their answers. Nonces are stateless (timestamp and salt under an
 * HMAC of the process secret), so nothing grows with the number of callers or attackers; a nonce
 * can be replayed within its TTL, which a conference PIN-like secret tolerates.
 */
export class DigestVerifier {
  readonly realm: string;
  private readonly ttl: number;
  private readonly now: () => number;
  private readonly opaque: string;
  private readonly algorithms: readonly ('SHA-256' | 'MD5')[];

  constructor(private readonly secret: Buffer, options: DigestVerifierOptions) {
    if (secret.length < 16) throw new Error('digest secret must be at least 16 bytes');
    this.realm = options.realm;
    this.ttl = options.nonceTtlMs ?? 5 * 60_000;
    this.algorithms = options.algorithms ?? ['SHA-256', 'MD5'];
    this.now = options.now ?? Date.now;
    this.opaque = this.mac(Buffer.from('opaque')).subarray(0, 12).toString('base64url');
  }

  /** The realm and purpose are bound in so a nonce cannot be carried to another realm's verifier. */
  private mac(data: Buffer): Buffer {
    return createHmac('sha256', this.secret).update(this.realm, 'utf8').update('\0').update(data).digest();
  }

  private newNonce(): string {
    const head = Buffer.alloc(12);
    head.writeUIntBE(Math.max(0, Math.floor(this.now())), 0, 6);
    randomBytes(6).copy(head, 6);
    return Buffer.concat([head, this.mac(head).subarray(0, 16)]).toString('base64url');
  }

  /** Issue time of one of our nonces, or undefined for anything we did not mint. */
  private nonceTime(nonce: string): number | undefined {
    if (!NONCE_RE.test(nonce)) return undefined;
    const raw = Buffer.from(nonce, 'base64url');
    if (raw.length !== 28) return undefined;
    const head = raw.subarray(0, 12);
    return timingSafeEqual(raw.subarray(12), this.mac(head).subarray(0, 16)) ? head.readUIntBE(0, 6) : undefined;
  }

  /** WWW-Authenticate objects for a 401, SHA-256 first (RFC 7616 §3.7: most preferred first). */
  challengeHeaders(stale = false): AuthHeader[] {
    return this.algorithms.map((algorithm) => ({
      scheme: 'Digest', realm: quote(this.realm), qop: '"auth"', nonce: quote(this.newNonce()),
      opaque: quote(this.opaque), algorithm, ...(stale ? { stale: 'true' } : {}),
    }));
  }

  /** The same as header values (text after "WWW-Authenticate: "), one per header line. */
  challenges(stale = false): string[] {
    return this.challengeHeaders(stale).map(stringifyChallenge);
  }

  /**
   * Checks an Authorization header (one parsed object, or the package's array of them: the one
   * naming our realm is used) against a request and the conference's credentials. 'stale' only
   * when everything is right but the nonce has aged out, so the caller may retry unprompted.
   */
  verify(auth: unknown, request: { method: string; uri?: string }, credentials: { username: string; password: string }): DigestVerdict {
    if (Array.isArray(auth)) auth = auth.find((a) => digestParams(a)?.get('realm') === this.realm);
    const p = digestParams(auth);
    if (!p) return 'bad';
    const username = p.get('username'), nonce = p.get('nonce'), uri = p.get('uri'), response = p.get('response');
    const algorithm = (p.get('algorithm') ?? 'MD5').toLowerCase();
    if (username === undefined || nonce === undefined || uri === undefined || response === undefined) return 'bad';
    if (username !== credentials.username || p.get('realm') !== this.realm) return 'bad';
    // Only what is offered (never -sess).
    if ((algorithm !== 'md5' && algorithm !== 'sha-256') || !this.algorithms.some((a) => a.toLowerCase() === algorithm)) return 'bad';
    if (request.uri !== undefined && uri !== request.uri) return 'bad';
    const opaque = p.get('opaque');
    if (opaque !== undefined && opaque !== this.opaque) return 'bad';
    const qop = p.get('qop'), nc = p.get('nc'), cnonce = p.get('cnonce');
    if (qop !== undefined) {
      if (qop.toLowerCase() !== 'auth' || !nc || !/^[0-9a-fA-F]{8}$/.test(nc) || !cnonce) return 'bad';
    } else if (nc !== undefined || cnonce !== undefined) return 'bad';
    const issued = this.nonceTime(nonce);
    if (issued === undefined) return 'bad';
    const expected = digestResponse({ ...credentials, algorithm, realm: this.realm, method: request.method, uri, nonce, qop, nc, cnonce });
    const got = Buffer.from(response.toLowerCase(), 'utf8');
    if (got.length !== expected.length || !timingSafeEqual(got, Buffer.from(expected, 'utf8'))) return 'bad';
    return Math.abs(this.now() - issued) > this.ttl ? 'stale' : 'ok';
  }
}

function stringifyChallenge(h: AuthHeader): string {
  const params = Object.entries(h).filter(([k, v]) => k !== 'scheme' && v !== undefined);
  return `${h.scheme} ` + params.map(([k, v]) => `${k}=${v}`).join(', ');
}

/** A challenge we can answer: Digest, a known algorithm, and either no qop or one offering auth. */
function answerable(h: unknown) {
  const p = digestParams(h);
  const realm = p?.get('realm'), nonce = p?.get('nonce'), algorithm = (p?.get('algorithm') ?? 'MD5').toLowerCase();
  const offered = p?.get('qop')?.split(',').map((q) => q.trim().toLowerCase());
  if (!p || realm === undefined || !nonce || !isAlgorithm(algorithm) || (offered && !offered.includes('auth'))) return undefined;
  return { p, realm, nonce, algorithm, qop: offered ? 'auth' : undefined };
}

/** The challenge to answer among a response's (WWW-|Proxy-)Authenticate list: SHA-256 over MD5, else first. */
export function pickChallenge(list: unknown): AuthHeader | undefined {
  const all: unknown[] = Array.isArray(list) ? list : list ? [list] : [];
  const usable = all.filter((h) => answerable(h));
  return (usable.find((h) => answerable(h)!.algorithm.startsWith('sha-256')) ?? usable[0]) as AuthHeader | undefined;
}

export interface ChallengeAnswer {
  method: string; uri: string; username: string; password: string;
  /** Nonce count for this nonce, starting at 1. */
  nc?: number;
  cnonce?: string;
}

/**
 * An (Proxy-)Authorization object answering one challenge, ready for the package's stringify; or
 * undefined for a non-Digest scheme, an unknown algorithm, or a qop offer without "auth".
 */
export function answerChallenge(challenge: unknown, a: ChallengeAnswer): AuthHeader | undefined {
  const c = answerable(challenge);
  // Our own inputs go into quoted-strings: a line break there would forge header lines.
  if (!c || [a.method, a.uri, a.username, a.cnonce ?? ''].some((s) => /[\r\n]/.test(s))) return undefined;
  const { p, realm, nonce, algorithm, qop } = c;
  const cnonce = qop || HASHES[algorithm].sess ? (a.cnonce ?? randomBytes(12).toString('base64url')) : undefined;
  const nc = qop ? (Math.max(1, a.nc ?? 1) >>> 0).toString(16).padStart(8, '0') : undefined;
  const response = digestResponse({ ...a, algorithm, realm, nonce, qop, nc, cnonce });
  const out: AuthHeader = {
    scheme: 'Digest', username: quote(a.username), realm: quote(realm), nonce: quote(nonce),
    uri: quote(a.uri), response: quote(response), algorithm: p.get('algorithm'),
  };
  if (cnonce !== undefined) out.cnonce = quote(cnonce);
  if (p.has('opaque')) out.opaque = quote(p.get('opaque')!);
  if (qop) { out.qop = qop; out.nc = nc; }
  return out;
}
