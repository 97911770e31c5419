// Guards the API port's connections. One client address may hold at most `perAddress` of
// them, and a connection that has sent nothing at all within `firstByteMs` is closed. Without
// this, a client that opens connections and sends nothing fills the server's connection limit
// and every other client is refused for as long as it likes. Node's own timers cover the rest:
// headersTimeout a request head begun but not finished, keepAliveTimeout an idle connection
// after a request. (Nothing here listens for 'request' or 'upgrade': the websocket answers
// upgrades to other paths only when it is the sole 'upgrade' listener.)
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export class ConnectionGuard {
  readonly #perAddress: number;
  readonly #firstByteMs: number;
  readonly #open = new Map<string, number>();

  constructor(server: Server, o: { perAddress: number; firstByteMs: number }) {
    this.#perAddress = o.perAddress;
    this.#firstByteMs = o.firstByteMs;
    server.on('connection', (socket: Socket) => this.#admit(socket));
  }

  #admit(socket: Socket): void {
    const address = socket.remoteAddress ?? '';
    const n = this.#open.get(address) ?? 0;
    if (n >= this.#perAddress) {
      socket.destroy();
      return;
    }
    this.#open.set(address, n + 1);
    const timer = setTimeout(() => {
      if (socket.bytesRead === 0) socket.destroy();
    }, this.#firstByteMs);
    timer.unref();
    socket.once('close', () => {
      clearTimeout(timer);
      const left = (this.#open.get(address) ?? 1) - 1;
      if (left > 0) this.#open.set(address, left);
      else this.#open.delete(address);
    });
  }
}
