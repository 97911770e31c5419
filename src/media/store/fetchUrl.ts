// Fetches a media URL for playback: http and https only (also after redirects), a byte limit
// (refused from Content-Length before reading, else when the count passes it) and one deadline
// for the whole exchange, redirects included. Every failure is InvalidArgumentError('url').
//
// `isAddressAllowed` (optional) vets the address each host resolves to, and the connection is
// then made to that very address, so a second DNS answer cannot swap in another (rebinding).
import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { InvalidArgumentError } from '../../errors.js';
import { readLimited } from '../../util/readLimited.js';

export interface FetchLimits {
  maxBytes: number;
  timeoutMs: number;
  maxRedirects?: number;
  /** Called with each resolved IP address; false refuses the URL. Default: every address. */
  isAddressAllowed?: (address: string) => boolean;
}

const bad = (reason: string): InvalidArgumentError => new InvalidArgumentError('url', reason);

/** The URL parsed, if it is http(s) and of a sane length; otherwise InvalidArgumentError('url'). */
export function checkMediaUrl(url: string): URL {
  if (typeof url !== 'string' || url.length > 2048) throw bad('must be a string of at most 2048 characters');
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw bad('is not a valid URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw bad('must be an http or https URL');
  return u;
}

export async function fetchBytes(url: string, limits: FetchLimits): Promise<Buffer> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, limits.timeoutMs);
  try {
    let current = checkMediaUrl(url);
    for (let hop = 0; ; hop++) {
      const res = await get(current, controller.signal, limits);
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location !== undefined) {
        res.resume();
        if (hop >= (limits.maxRedirects ?? 5)) throw bad('redirects too many times');
        current = checkMediaUrl(new URL(res.headers.location, current).href);
        continue;
      }
      if (status < 200 || status >= 300) {
        res.resume();
        throw bad(`answered HTTP ${status}`);
      }
      return await readLimited(res, limits.maxBytes, () => bad(`is larger than ${limits.maxBytes} bytes`), (r) => r.destroy());
    }
  } catch (e) {
    if (timedOut) throw bad(`was not fetched within ${limits.timeoutMs / 1000} s`);
    if (e instanceof InvalidArgumentError) throw e;
    throw bad(`could not be fetched (${e instanceof Error ? e.message : String(e)})`);
  } finally {
    clearTimeout(timer);
    controller.abort(); // ends any response still streaming (an error path)
  }
}

async function get(url: URL, signal: AbortSignal, limits: FetchLimits): Promise<IncomingMessage> {
  let lookup: LookupFunction | undefined;
  if (limits.isAddressAllowed) {
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const { address, family } = isIP(host) ? { address: host, family: isIP(host) } : await dnsLookup(host);
    if (!limits.isAddressAllowed(address)) throw bad(`resolves to an address that is not allowed (${address})`);
    lookup = (_host, options, cb) => {
      if ((options as { all?: boolean }).all) (cb as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family }]);
      else cb(null, address, family);
    };
  }
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { signal, lookup, headers: { accept: 'audio/wav, audio/ogg, */*;q=0.5', 'user-agent': 'roomtone' } }, resolve);
    req.on('error', reject);
    req.end();
  });
}
