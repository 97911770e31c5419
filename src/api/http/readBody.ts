import type { IncomingMessage } from 'node:http';
import { InvalidArgumentError } from '../../errors.js';
import { readRawBody } from './readRawBody.js';

export const MAX_BODY_BYTES = 1024 * 1024;

/** Reads and parses a JSON body; over the limit is a 413 (refused before reading when declared). */
export async function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const bytes = await readRawBody(req, limit);
  if (bytes.length === 0) return undefined;
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new InvalidArgumentError('body', `is not valid JSON: ${(err as Error).message}`);
  }
}
