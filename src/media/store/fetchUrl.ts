// Fetches a media URL for playback through the guarded outbound request (src/net/guardedHttp.ts):
// http and https only (also after redirects), every hop's addresses checked against the address
// policy, a byte limit (refused from Content-Length before reading, else when the count passes
// it) and one deadline for the whole exchange, redirects included. Every failure is
// InvalidArgumentError('url'); whether the server refused the connection, never answered or does
// not resolve is not told apart (one message for all), or `play` would be a port scanner.
import { InvalidArgumentError } from '../../errors.js';
import type { AddressPolicy } from '../../net/addressPolicy.js';
import { guardedRequest, parseHttpUrl, type GuardedRequest } from '../../net/guardedHttp.js';
import { readLimited } from '../../util/readLimited.js';

export interface FetchLimits {
  maxBytes: number;
  timeoutMs: number;
  maxRedirects?: number;
  /** The addresses that may be contacted. */
  policy: AddressPolicy;
  /** Host name lookup; dns.lookup unless a test puts in its own. */
  lookup?: GuardedRequest['lookup'];
}

const bad = (reason: string): InvalidArgumentError => new InvalidArgumentError('url', reason);

/** The URL parsed, if it is http(s) and of a sane length; otherwise InvalidArgumentError('url'). */
export function checkMediaUrl(url: string): URL {
  if (typeof url !== 'string' || url.length > 2048) throw bad('must be a string of at most 2048 characters');
  return parseHttpUrl(url, 'url');
}

export async function fetchBytes(url: string, limits: FetchLimits): Promise<Buffer> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), limits.timeoutMs);
  try {
    const res = await guardedRequest({
      url: checkMediaUrl(url).href,
      headers: { accept: 'audio/wav, audio/ogg, */*;q=0.5', 'user-agent': 'roomtone' },
      field: 'url',
      policy: limits.policy,
      lookup: limits.lookup,
      maxRedirects: limits.maxRedirects ?? 5,
      signal: controller.signal,
    });
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      res.resume();
      throw bad(status >= 300 && status < 400 && res.headers.location !== undefined ? 'redirects too many times' : `answered HTTP ${status}`);
    }
    return await readLimited(res, limits.maxBytes, () => bad(`is larger than ${limits.maxBytes} bytes`), (r) => r.destroy());
  } catch (e) {
    if (e instanceof InvalidArgumentError) throw e;
    // Refused, reset, unresolvable, timed out: one message, whichever it was.
    throw bad(`could not be fetched (unreachable, or no complete answer within ${limits.timeoutMs / 1000} s)`);
  } finally {
    clearTimeout(timer);
    controller.abort(); // ends any response still streaming (an error path)
  }
}
