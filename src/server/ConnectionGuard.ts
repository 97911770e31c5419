// Guards the API port's connections. One client address may hold at most `perAddress` of
// them, and a connection must deliver a complete request head (or a websocket upgrade) within
// `firstRequestMs`. Without this, a client that opens connections and sends nothing fills the
// server's connection limit and every other client is refused for as long as it likes. Node's
// own headersTimeout does not cover a connection that has sent nothing at all; after the first
// request, keepAliveTimeout closes an idle one.
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';

export class ConnectionGuard {
  readonly #perAddress: number;
  readonly #firstRequestMs: number;
  readonly #open = new Map<string, number>();
  readonly #waiting = new Map<Socket, NodeJS.Timeout>();
  refused = 0;
  timedOut = 0;

  constructor(server: Server, o: { perAddress: number; firstRequestMs: number }) {
    this.#perAddress = o.perAddress;
    this.#firstRequestMs = o.firstRequestMs;
    server.on('connection', (socket: Socket) => this.#admit(socket));
    const served = (req: IncomingMessage) => this.#served(req.socket);
    server.on('request', served);
    server.on('upgrade', served);
  }

  #admit(socket: Socket): void {
    const address = socket.remoteAddress ?? '';
    const n = this.#open.get(address) ?? 0;
    if (n >= this.#perAddress) {
      this.refused++;
      socket.destroy();
      return;
    }
    this.#open.set(address, n + 1);
    const timer = setTimeout(() => {
      this.timedOut++;
      socket.destroy();
    }, this.#firstRequestMs);
    timer.unref();
    this.#waiting.set(socket, timer);
    socket.once('close', () => {
      this.#served(socket);
      const left = (this.#open.get(address) ?? 1) - 1;
      if (left > 0) this.#open.set(address, left);
      else this.#open.delete(address);
    });
  }

  #served(socket: Socket): void {
    const timer = this.#waiting.get(socket);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.#waiting.delete(socket);
  }
}
