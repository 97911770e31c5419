import type { IncomingMessage } from 'node:http';
import { InvalidArgumentError, PayloadTooLargeError } from '../../errors.js';

export const MAX_BODY_BYTES = 1024 * 1024;

/** Reads and parses a JSON body; over the limit is a 413 (refused before reading when declared). */
export async function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    throw new PayloadTooLargeError(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.resume();
      throw new PayloadTooLargeError(limit);
    }
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InvalidArgumentError('body', `is not valid JSON: ${(err as Error).message}`);
  }
}
