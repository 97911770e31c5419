// Digest authentication (RFC 7616 as RFC 3261 uses it): the RFC's own vectors for both
// algorithms, our client answering our server, every way a bad answer is refused, and the header
// objects going through the `sip` package's real parser and stringifier unchanged in meaning.
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  answerChallenge, digestResponse, DigestVerifier, MAX_FIELD, pickChallenge, quote, unquote, type AuthHeader,
} from '../../src/sip/digest.js';

interface Msg { method?: string; uri?: string; status?: number; reason?: string; headers: Record<string, unknown>; content?: string }
const sip = createRequire(import.meta.url)('sip') as { parse(s: string): Msg | undefined; stringify(m: Msg): string };

const RFC = {
  username: 'Mufasa', password: 'Circle of Life', realm: 'http-auth@example.org', method: 'GET', uri: '/dir/index.html',
  nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v', cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  nc: '00000001', qop: 'auth', opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
};
const RFC_MD5 = '8ca523f5e9506fed4657c9700eebdbec';
const RFC_SHA256 = '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1';

const REQUEST_URI = 'sip:1234@conf.example.com';
const creds = { username: 'alice', password: 's3cret pin' };

function verifier(clock = { t: 1_700_000_000_000 }, realm = 'roomtone') {
  return { clock, v: new DigestVerifier(randomBytes(32), { realm, nonceTtlMs: 60_000, now: () => clock.t }) };
}

/** Our client's answer to our server's challenge of the given algorithm. */
function answer(v: DigestVerifier, algorithm: 'SHA-256' | 'MD5', over: Partial<Parameters<typeof answerChallenge>[1]> = {}) {
  const challenge = v.challengeHeaders().find((c) => c.algorithm === algorithm)!;
  return answerChallenge(challenge, { method: 'INVITE', uri: REQUEST_URI, ...creds, ...over })!;
}

describe('RFC 7616 §3.9.1 vectors', () => {
  it('computes the MD5 and SHA-256 responses', () => {
    expect(digestResponse({ ...RFC, algorithm: 'md5' })).toBe(RFC_MD5);
    expect(digestResponse({ ...RFC, algorithm: 'sha-256' })).toBe(RFC_SHA256);
  });

  it('answers the RFC challenge, parsed from its header text, with the RFC response', () => {
    for (const [algorithm, expected] of [['MD5', RFC_MD5], ['SHA-256', RFC_SHA256]] as const) {
      const text = `SIP/2.0 401 Unauthorized\r\nWWW-Authenticate: Digest realm="${RFC.realm}", qop="auth, auth-int", ` +
        `algorithm=${algorithm}, nonce="${RFC.nonce}", opaque="${RFC.opaque}"\r\nContent-Length: 0\r\n\r\n`;
      const [challenge] = sip.parse(text)!.headers['www-authenticate'] as AuthHeader[];
      expect(challenge).toMatchObject({ scheme: 'Digest', realm: `"${RFC.realm}"`, algorithm, qop: '"auth, auth-int"' });
      const auth = answerChallenge(challenge, { ...RFC, nc: 1, cnonce: RFC.cnonce })!;
      expect(auth).toMatchObject({
        scheme: 'Digest', username: '"Mufasa"', realm: `"${RFC.realm}"`, uri: '"/dir/index.html"', algorithm,
        qop: 'auth', nc: '00000001', cnonce: `"${RFC.cnonce}"`, opaque: `"${RFC.opaque}"`, response: `"${expected}"`,
      });
    }
  });
});

describe('DigestVerifier', () => {
  it('challenges with SHA-256 first, then MD5, each with realm, qop, nonce and opaque', () => {
    const { v } = verifier();
    const [sha, md5] = v.challengeHeaders();
    expect(sha).toMatchObject({ scheme: 'Digest', realm: '"roomtone"', qop: '"auth"', algorithm: 'SHA-256' });
    expect(md5).toMatchObject({ algorithm: 'MD5', opaque: sha!.opaque });
    expect(sha!.nonce).not.toBe(md5!.nonce);
    expect(sha!.stale).toBeUndefined();
    expect(v.challengeHeaders(true)[0]!.stale).toBe('true');
    const values = v.challenges(true);
    expect(values).toHaveLength(2);
    expect(values[0]).toMatch(/^Digest realm="roomtone", qop="auth", nonce="[\w-]+", opaque="[\w-]+", algorithm=SHA-256, stale=true$/);
  });

  it('accepts our client for both algorithms, with and without qop', () => {
    const { v } = verifier();
    for (const alg of ['SHA-256', 'MD5'] as const) {
      expect(v.verify(answer(v, alg), { method: 'INVITE', uri: REQUEST_URI }, creds)).toBe('ok');
      expect(v.verify(answer(v, alg), { method: 'INVITE' }, creds)).toBe('ok');
    }
    // RFC 2069 style (no qop) and no algorithm (= MD5), as old SIP phones answer.
    const challenge = { ...v.challengeHeaders()[1]!, qop: undefined, algorithm: undefined };
    const old = answerChallenge(challenge, { method: 'INVITE', uri: REQUEST_URI, ...creds })!;
    expect(old.qop).toBeUndefined();
    expect(old.algorithm).toBeUndefined();
    expect(v.verify(old, { method: 'INVITE', uri: REQUEST_URI }, creds)).toBe('ok');
  });

  it('offers only MD5 when told (--sip-digest-algorithms MD5, for phones that give up on SHA-256), and then refuses SHA-256 answers', () => {
    const sha = verifier().v;
    const v = new DigestVerifier(randomBytes(32), { realm: 'roomtone', algorithms: ['MD5'] });
    expect(v.challengeHeaders().map((c) => c.algorithm)).toEqual(['MD5']);
    expect(v.verify(answer(v, 'MD5'), { method: 'INVITE', uri: REQUEST_URI }, creds)).toBe('ok');
    const shaChallenge = { ...sha.challengeHeaders()[0]!, nonce: v.challengeHeaders()[0]!.nonce, opaque: v.challengeHeaders()[0]!.opaque };
    expect(v.verify(answerChallenge(shaChallenge, { method: 'INVITE', uri: REQUEST_URI, ...creds }), { method: 'INVITE', uri: REQUEST_URI }, creds)).toBe('bad');
  });

  it('refuses a wrong password or username, and another realm', () => {
    const { v } = verifier();
    expect(v.verify(answer(v, 'SHA-256', { password: 'guess' }), { method: 'INVITE' }, creds)).toBe('bad');
    expect(v.verify(answer(v, 'MD5', { username: 'bob' }), { method: 'INVITE' }, { ...creds, username: 'bob2' })).toBe('bad');
    expect(v.verify(answer(v, 'MD5'), { method: 'INVITE' }, { ...creds, password: 'other' })).toBe('bad');
    const other = verifier(undefined, 'elsewhere').v;
    expect(other.verify(answer(v, 'SHA-256'), { method: 'INVITE' }, creds)).toBe('bad');
  });

  it('calls an aged-out nonce stale only when the answer is otherwise right', () => {
    const { v, clock } = verifier();
    const good = answer(v, 'SHA-256');
    const wrong = answer(v, 'SHA-256', { password: 'guess' });
    clock.t += 59_000;
    expect(v.verify(good, { method: 'INVITE' }, creds)).toBe('ok');
    clock.t += 2_000;
    expect(v.verify(good, { method: 'INVITE' }, creds)).toBe('stale');
    expect(v.verify(wrong, { method: 'INVITE' }, creds)).toBe('bad');
  });

  it('refuses a nonce it did not mint, even with a matching response', () => {
    const { v } = verifier();
    const { v: stranger } = verifier(); // same realm and clock, another secret
    expect(v.verify(answer(stranger, 'SHA-256'), { method: 'INVITE' }, creds)).toBe('bad');
    // A nonce edited in place (its timestamp moved forward), answered correctly.
    const challenge = v.challengeHeaders()[0]!;
    const raw = Buffer.from(unquote(challenge.nonce!), 'base64url');
    raw[5]! ^= 1;
    const forged = answerChallenge({ ...challenge, nonce: quote(raw.toString('base64url')) }, { method: 'INVITE', uri: REQUEST_URI, ...creds });
    expect(v.verify(forged, { method: 'INVITE' }, creds)).toBe('bad');
    expect(v.verify(answerChallenge({ ...challenge, nonce: '"abc"' }, { method: 'INVITE', uri: REQUEST_URI, ...creds }), { method: 'INVITE' }, creds)).toBe('bad');
  });

  it('refuses an answer for another method or Request-URI, or with edited fields', () => {
    const { v } = verifier();
    const good = answer(v, 'SHA-256');
    expect(v.verify(good, { method: 'BYE', uri: REQUEST_URI }, creds)).toBe('bad');
    expect(v.verify(good, { method: 'INVITE', uri: 'sip:9999@conf.example.com' }, creds)).toBe('bad');
    expect(v.verify({ ...good, uri: '"sip:9999@conf.example.com"' }, { method: 'INVITE' }, creds)).toBe('bad');
    expect(v.verify({ ...good, algorithm: 'MD5' }, { method: 'INVITE' }, creds)).toBe('bad');
    expect(v.verify({ ...good, algorithm: 'SHA-512-256' }, { method: 'INVITE' }, creds)).toBe('bad');
    expect(v.verify({ ...good, nc: '00000002' }, { method: 'INVITE' }, creds)).toBe('bad');
    expect(v.verify({ ...good, nc: '2' }, { method: 'INVITE' }, creds)).toBe('bad');
    expect(v.verify({ ...good, qop: 'auth-int' }, { method: 'INVITE' }, creds)).toBe('bad');
    expect(v.verify({ ...good, qop: undefined }, { method: 'INVITE' }, creds)).toBe('bad');
    expect(v.verify({ ...good, opaque: '"x"' }, { method: 'INVITE' }, creds)).toBe('bad');
    expect(v.verify({ ...good, response: '"' + 'f'.repeat(64) + '"' }, { method: 'INVITE' }, creds)).toBe('bad');
    expect(v.verify({ ...good, scheme: 'Basic' }, { method: 'INVITE' }, creds)).toBe('bad');
    for (const field of ['username', 'realm', 'nonce', 'uri', 'response']) {
      expect(v.verify({ ...good, [field]: undefined }, { method: 'INVITE' }, creds)).toBe('bad');
    }
    // Case of the hex response and of parameter names does not matter.
    const upper = { ...good, response: good.response!.toUpperCase() };
    expect(v.verify(upper, { method: 'INVITE' }, creds)).toBe('ok');
    const shouting = Object.fromEntries(Object.entries(good).map(([k, x]) => [k === 'scheme' ? k : k.toUpperCase(), x]));
    expect(v.verify({ ...shouting, scheme: 'DIGEST' }, { method: 'INVITE' }, creds)).toBe('ok');
  });

  it('refuses oversized fields and malformed input without hashing them', () => {
    const { v } = verifier();
    const good = answer(v, 'MD5');
    const long = '"' + 'a'.repeat(MAX_FIELD) + '"';
    for (const field of ['username', 'cnonce', 'uri', 'whatever']) {
      expect(v.verify({ ...good, [field]: long }, { method: 'INVITE' }, creds)).toBe('bad');
    }
    for (const junk of [undefined, null, 'Digest x', 42, [], {}, { ...good, nonce: 7 }]) {
      expect(v.verify(junk, { method: 'INVITE' }, creds)).toBe('bad');
    }
    expect(answerChallenge({ ...v.challengeHeaders()[0]!, nonce: long }, { method: 'INVITE', uri: REQUEST_URI, ...creds })).toBeUndefined();
  });

  it('round-trips through the sip package: stringified 401 and request, re-parsed, verified', () => {
    const { v } = verifier();
    const base = {
      via: [{ version: '2.0', protocol: 'UDP', host: '192.0.2.1', port: 5060, params: { branch: 'z9hG4bK1' } }],
      to: { uri: REQUEST_URI, params: {} }, from: { name: 'Alice "A"', uri: 'sip:alice@example.com', params: { tag: '1' } },
      'call-id': 'c1', cseq: { seq: 1, method: 'INVITE' },
    };
    const text401 = sip.stringify({ status: 401, reason: 'Unauthorized', headers: { ...base, 'www-authenticate': v.challengeHeaders() } });
    expect(text401.match(/^WWW-Authenticate: Digest /gm)).toHaveLength(2); // one line each: RFC 3261 §7.3.1
    const challenges = sip.parse(text401)!.headers['www-authenticate'] as AuthHeader[];
    expect(challenges).toEqual(v.challengeHeaders().map((c) => ({ ...c, nonce: expect.any(String) })));
    const chosen = pickChallenge(challenges)!;
    expect(chosen.algorithm).toBe('SHA-256');

    // A username and URI that need quoting survive the trip.
    const user = { username: 'al"ice\\', password: 'pw' };
    const auth = answerChallenge(chosen, { method: 'INVITE', uri: REQUEST_URI, ...user, nc: 3 })!;
    const textInvite = sip.stringify({ method: 'INVITE', uri: REQUEST_URI, headers: { ...base, authorization: [auth] } });
    const rq = sip.parse(textInvite)!;
    const parsed = rq.headers.authorization as AuthHeader[];
    expect(parsed).toEqual([auth]);
    expect(parsed[0]!.nc).toBe('00000003');
    expect(v.verify(parsed, { method: rq.method!, uri: rq.uri! }, user)).toBe('ok');

    // The header values as text, as another stack would send them, parse the same way.
    const textValues = sip.parse(`SIP/2.0 401 Unauthorized\r\n${v.challenges().map((c) => `WWW-Authenticate: ${c}\r\n`).join('')}\r\n`)!;
    const [sha, md5] = textValues.headers['www-authenticate'] as AuthHeader[];
    expect([sha!.algorithm, md5!.algorithm]).toEqual(['SHA-256', 'MD5']);
    expect(v.verify(answerChallenge(md5, { method: 'BYE', uri: REQUEST_URI, ...creds }), { method: 'BYE', uri: REQUEST_URI }, creds)).toBe('ok');
  });
});

describe('client side', () => {
  it('prefers SHA-256 and skips what it cannot answer', () => {
    const md5 = { scheme: 'Digest', realm: '"r"', nonce: '"n1"', algorithm: 'MD5' };
    const sha = { scheme: 'Digest', realm: '"r"', nonce: '"n2"', algorithm: 'SHA-256' };
    const weird = { scheme: 'Digest', realm: '"r"', nonce: '"n3"', algorithm: 'SHA-512-256' };
    const basic = { scheme: 'Basic', realm: '"r"' };
    expect(pickChallenge([basic, md5, weird, sha])).toBe(sha);
    expect(pickChallenge([weird, md5])).toBe(md5);
    expect(pickChallenge([basic, weird])).toBeUndefined();
    expect(pickChallenge(undefined)).toBeUndefined();
    expect(pickChallenge(md5)).toBe(md5);
  });

  it('refuses unknown algorithms, auth-int only, other schemes, and line breaks', () => {
    const ask = { method: 'INVITE', uri: REQUEST_URI, ...creds };
    const c = { scheme: 'Digest', realm: '"r"', nonce: '"n"' };
    expect(answerChallenge({ ...c, algorithm: 'SHA-512-256' }, ask)).toBeUndefined();
    expect(answerChallenge({ ...c, qop: '"auth-int"' }, ask)).toBeUndefined();
    expect(answerChallenge({ ...c, scheme: 'Basic' }, ask)).toBeUndefined();
    expect(answerChallenge({ scheme: 'Digest', realm: '"r"' }, ask)).toBeUndefined();
    expect(answerChallenge(c, { ...ask, username: 'a\r\nVia: x' })).toBeUndefined();
    expect(answerChallenge({ ...c, qop: 'auth' }, ask)).toMatchObject({ qop: 'auth', nc: '00000001' });
  });

  it('answers a Proxy-Authenticate challenge of the -sess kind', () => {
    const c = { scheme: 'Digest', realm: '"proxy"', nonce: '"abc"', algorithm: 'SHA-256-sess', qop: '"auth"' };
    const a = answerChallenge(c, { method: 'INVITE', uri: REQUEST_URI, ...creds, cnonce: 'cn' })!;
    const expected = digestResponse({
      algorithm: 'sha-256-sess', ...creds, realm: 'proxy', method: 'INVITE', uri: REQUEST_URI, nonce: 'abc', qop: 'auth', nc: '00000001', cnonce: 'cn',
    });
    expect(a).toMatchObject({ algorithm: 'SHA-256-sess', cnonce: '"cn"', response: `"${expected}"` });
  });
});
