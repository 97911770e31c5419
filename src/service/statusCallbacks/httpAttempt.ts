// One HTTP request of a status callback, bounded in time and in what it reads back.

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

/**
 * Sends once. 2xx succeeds; network errors, timeouts and 5xx are worth retrying; anything else
 * (4xx, a redirect that cannot be followed) is not. `signal` aborts it from outside (close).
 */
export async function attempt(req: CallbackRequest, timeoutMs: number, signal: AbortSignal): Promise<AttemptResult> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  const onAbort = () => ac.abort(signal.reason);
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  try {
    const res = await fetch(req.url, {
      method: req.method,
      headers: req.method === 'POST' ? HEADERS_POST : HEADERS_GET,
      body: req.body,
      signal: ac.signal,
      redirect: 'follow',
    });
    await drain(res);
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
    return { ok: false, retry: res.status >= 500, status: res.status, error: `HTTP ${res.status}` };
  } catch (err) {
    const reason: unknown = ac.signal.aborted ? ac.signal.reason : err;
    return { ok: false, retry: true, error: reason instanceof Error ? reason.message : String(reason) };
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}

/** Reads and discards up to MAX_RESPONSE_BYTES of the body, then cancels the rest. */
async function drain(res: Response): Promise<void> {
  if (!res.body) return;
  const reader = res.body.getReader();
  let read = 0;
  try {
    while (read <= MAX_RESPONSE_BYTES) {
      const { done, value } = await reader.read();
      if (done) return;
      read += value.byteLength;
    }
    await reader.cancel();
  } catch {
    // The status is what counts; a body cut short by the timeout does not change it.
  } finally {
    reader.releaseLock();
  }
}
