// An HTTP server on a loopback address that counts what reaches it: the outbound-fetch guard's
// tests assert that a refused address sees no connection at all, not merely no request.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HttpTarget {
  /** "http://host:port", no trailing slash. */
  readonly url: string;
  readonly port: number;
  /** TCP connections accepted. */
  readonly connections: number;
  /** Requests received (their paths, in order). */
  readonly requests: string[];
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Listens on `host` (127.0.0.1 unless told) and `port` (any), answering with `handler` (200 "ok" unless told). */
export async function httpTarget(handler: Handler = (_, res) => void res.end('ok'), host = '127.0.0.1', port = 0): Promise<HttpTarget> {
  let connections = 0;
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    handler(req, res);
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${bound}`,
    port: bound,
    get connections() {
      return connections;
    },
    requests,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}
