import type { IncomingMessage } from 'node:http';

/**
 * Reads an HTTP message body of at most `limit` bytes. A larger one, declared or as it arrives,
 * is abandoned (`abandon`: drain a request we must still answer, destroy a response we fetched)
 * and refused with `tooLarge()`, so no more than the limit is ever held.
 */
export async function readLimited(msg: IncomingMessage, limit: number, tooLarge: () => Error, abandon: (msg: IncomingMessage) => void): Promise<Buffer> {
  if (Number(msg.headers['content-length'] ?? 0) > limit) {
    abandon(msg);
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of msg) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      abandon(msg);
      throw tooLarge();
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, size);
}
