// One HTTP request of a status callback, bounded in time and in what it reads back, sent through
// the guarded outbound request (src/net/guardedHttp.ts): the callback URL's addresses must pass
// the address policy, and redirects are not followed (a 3xx is a failure, not retried), so no
// hop can lead where the URL itself may not. Why a request failed is logged in one generic
// message: the account that owns the URL must not learn refused from timed out from unresolvable.
import type { IncomingMessage } from 'node:http';
import { InvalidArgumentError } from '../../errors.js';
import { guardedRequest, type GuardedRequest } from '../../net/guardedHttp.js';

/** A callback ready to send: the URL already carries the query for GET, the body is form-encoded for POST. */
export interface CallbackRequest {
  url: string;
  method: 'GET' | 'POST';
  body: string | undefined;
}

export type AttemptResult =
  | { ok: true; status: number }
  | { ok: false; retry: boolean; status?: number; error: string };

/** How much of a response body is read (to let the connection be reused) before it is cut. */
const MAX_RESPONSE_BYTES = 64 * 1024;

const HEADERS_GET = { 'user-agent': 'roomtone-status-callback/1' };
const HEADERS_POST = { ...HEADERS_GET, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };

/** The error of every network failure and timeout, whichever it was. */
export const unreachable = (timeoutMs: number): string => `could not be delivered (unreachable, or no answer within ${timeoutMs} ms)`;

/**
 * Sends once. 2xx succeeds; network errors, timeouts and 5xx are worth retrying; anything else
 * (4xx, a 3xx, an address not allowed) is not. `signal` aborts it from outside (close).
 */
export async function attempt(req: CallbackRequest, timeoutMs: number, signal: AbortSignal, guard: Pick<GuardedRequest, 'policy' | 'lookup'>): Promise<AttemptResult> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  const onAbort = () => ac.abort(signal.reason);
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  try {
    const res = await guardedRequest({
      url: req.url,
      method: req.method,
      headers: req.method === 'POST' ? HEADERS_POST : HEADERS_GET,
      body: req.body,
      field: 'status_callback.url',
      ...guard,
      maxRedirects: 0,
      signal: ac.signal,
    });
    const status = res.statusCode ?? 0;
    await drain(res);
    if (status >= 200 && status < 300) return { ok: true, status };
    return { ok: false, retry: status >= 500, status, error: `HTTP ${status}` };
  } catch (err) {
    if (err instanceof InvalidArgumentError) return { ok: false, retry: false, error: err.message };
    return { ok: false, retry: true, error: unreachable(timeoutMs) };
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}

/** Reads and discards up to MAX_RESPONSE_BYTES of the body, then cuts the rest. */
async function drain(res: IncomingMessage): Promise<void> {
  let read = 0;
  try {
    for await (const chunk of res) {
      read += (chunk as Buffer).length;
      if (read > MAX_RESPONSE_BYTES) {
        res.destroy();
        return;
      }
    }
  } catch {
    // The status is what counts; a body cut short by the timeout does not change it.
  }
}
