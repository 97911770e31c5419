import { MediaHost, type MediaHostOptions } from './MediaHost.js';
import type { HostChannel, HostMessage, RequestMessage } from './protocol.js';

/**
 * A MediaHost on the caller's own thread. Messages still pass asynchronously (a microtask
 * each way) so that code written against a worker behaves the same here.
 */
export class InlineChannel implements HostChannel {
  #handler: (message: HostMessage) => void = () => {};
  readonly #host: MediaHost;

  constructor(options: MediaHostOptions) {
    this.#host = new MediaHost((message) => queueMicrotask(() => this.#handler(message)), options);
  }

  send(message: RequestMessage): void {
    queueMicrotask(() => this.#host.handle(message));
  }

  onMessage(handler: (message: HostMessage) => void): void {
    this.#handler = handler;
  }

  onFailure(): void {}

  async terminate(): Promise<void> {}
}
