// The one way the server makes an HTTP(S) request to a URL that an account gave it (media to
// play, status callbacks). Every hop, redirects included, resolves its host once, refuses the
// URL if ANY address is not allowed by the AddressPolicy, and connects to the address it checked:
// a second DNS answer cannot swap in another one (DNS rebinding).
//
// Failures come in two kinds, and only two, so that the server is no port scanner:
//  - InvalidArgumentError(field): the URL itself is refused (not http(s), an address not allowed,
//    too many redirects). Trying again will not help.
//  - UnreachableError: anything else between us and the server (DNS failure, connection refused
//    or reset, TLS failure, the caller's deadline). Its message never says which.
import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { InvalidArgumentError } from '../errors.js';
import type { AddressPolicy } from './addressPolicy.js';

/** Every failure to reach or hear from the server, told apart from none of the others. */
export class UnreachableError extends Error {
  constructor() {
    super('unreachable, or no answer in time');
    this.name = 'UnreachableError';
  }
}

export interface GuardedRequest {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** The input named by InvalidArgumentError: 'url', 'status_callback.url'. */
  field: string;
  policy: AddressPolicy;
  /** 3xx answers followed (as GET, without a body), each hop checked like the first; the next 3xx is returned. */
  maxRedirects: number;
  /** The caller's deadline, which must also cover reading the body it gets back. */
  signal: AbortSignal;
  /** Every address of a host name. Default dns.lookup(host, { all: true }); tests put in their own. */
  lookup?: (host: string) => Promise<LookupAddress[]>;
}

const lookupAll = (host: string): Promise<LookupAddress[]> => dnsLookup(host, { all: true, verbatim: true });

/** The URL (relative to `base`, if given) parsed, if it is http or https; otherwise InvalidArgumentError(field). */
export function parseHttpUrl(url: string, field: string, base?: URL): URL {
  let u: URL;
  try {
    u = new URL(url, base);
  } catch {
    throw new InvalidArgumentError(field, 'is not a valid URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new InvalidArgumentError(field, 'must be an http or https URL');
  return u;
}

/**
 * Sends the request and resolves with the response head (the body still to be read under the
 * caller's signal). Throws InvalidArgumentError or UnreachableError, nothing else.
 */
export async function guardedRequest(req: GuardedRequest): Promise<IncomingMessage> {
  try {
    let url = parseHttpUrl(req.url, req.field);
    let method = req.method ?? 'GET';
    let body = req.body;
    for (let hop = 0; ; hop++) {
      const target = await checkedAddress(url, req);
      const res = await send(url, target, method, body, req);
      const status = res.statusCode ?? 0;
      if (status < 300 || status >= 400 || res.headers.location === undefined || hop >= req.maxRedirects) return res;
      res.resume();
      url = parseHttpUrl(res.headers.location, req.field, url);
      method = 'GET'; // as browsers do after a POST's 301-303: the body is not sent again
      body = undefined;
    }
  } catch (e) {
    if (e instanceof InvalidArgumentError) throw e;
    throw new UnreachableError();
  }
}

interface Target {
  address: string;
  family: number;
}

/** The address to connect to, once every address the host has passed the policy. */
async function checkedAddress(url: URL, req: GuardedRequest): Promise<Target> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const family = isIP(host);
  const found = family ? [{ address: host, family }] : await abortable((req.lookup ?? lookupAll)(host), req.signal);
  if (found.length === 0) throw new UnreachableError();
  // Not the address itself in the message: it would tell an account what internal names resolve to.
  if (!found.every((a) => req.policy.allows(a.address))) throw new InvalidArgumentError(req.field, 'resolves to an address not allowed');
  return found[0];
}

function send(url: URL, target: Target, method: string, body: string | undefined, req: GuardedRequest): Promise<IncomingMessage> {
  // Node asks for all addresses (autoSelectFamily) or one; either way it gets the checked one.
  const lookup = ((_host: string, options: { all?: boolean }, cb: (...args: unknown[]) => void) => {
    if (options.all) cb(null, [target]);
    else cb(null, target.address, target.family);
  }) as unknown as LookupFunction;
  // A body goes with its type and length; a GET (a redirect after a POST too) with neither.
  const headers: Record<string, string> = { ...req.headers };
  if (body === undefined) delete headers['content-type'];
  else headers['content-length'] = String(Buffer.byteLength(body));
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const r = request(url, { method, headers, lookup, signal: req.signal }, resolve);
    r.on('error', reject);
    r.end(body);
  });
}

/** dns.lookup cannot be cancelled; the deadline does not wait for it. */
function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
