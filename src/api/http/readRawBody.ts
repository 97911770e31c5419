import type { IncomingMessage } from 'node:http';
import { PayloadTooLargeError } from '../../errors.js';
import { readLimited } from '../../util/readLimited.js';

/** Reads a body as bytes; over the limit is a 413 (refused before reading when declared). */
export function readRawBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return readLimited(req, limit, () => new PayloadTooLargeError(limit), (r) => r.resume());
}
