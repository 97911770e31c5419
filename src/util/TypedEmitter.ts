import { EventEmitter } from 'node:events';

type Listener<A extends unknown[]> = (...args: A) => void;

/**
 * An EventEmitter whose event names and argument tuples are checked by the compiler. A listener
 * that throws does not break the emitter or the other listeners: the error is reported as a
 * 'listenererror' event (or, without a listener for that, on the console).
 */
export class TypedEmitter<Events extends { [K in keyof Events]: unknown[] }> {
  readonly #emitter = new EventEmitter();

  constructor() {
    this.#emitter.setMaxListeners(100);
  }

  on<K extends keyof Events & string>(event: K, listener: Listener<Events[K]>): this {
    this.#emitter.on(event, listener as Listener<unknown[]>);
    return this;
  }

  once<K extends keyof Events & string>(event: K, listener: Listener<Events[K]>): this {
    this.#emitter.once(event, listener as Listener<unknown[]>);
    return this;
  }

  off<K extends keyof Events & string>(event: K, listener: Listener<Events[K]>): this {
    this.#emitter.off(event, listener as Listener<unknown[]>);
    return this;
  }

  listenerCount<K extends keyof Events & string>(event: K): number {
    return this.#emitter.listenerCount(event);
  }

  /** Resolves with the arguments of the next `event`, or rejects after `timeoutMs`. */
  waitFor<K extends keyof Events & string>(event: K, timeoutMs = 5000): Promise<Events[K]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#emitter.off(event, on);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${event}`));
      }, timeoutMs);
      const on = (...args: unknown[]) => {
        clearTimeout(timer);
        resolve(args as Events[K]);
      };
      this.#emitter.once(event, on);
    });
  }

  protected emit<K extends keyof Events & string>(event: K, ...args: Events[K]): void {
    for (const listener of this.#emitter.listeners(event)) {
      try {
        (listener as Listener<Events[K]>)(...args);
      } catch (err) {
        if (event !== 'listenererror' && this.#emitter.listenerCount('listenererror') > 0) {
          this.#emitter.emit('listenererror', err, event);
        } else {
          console.error(`roomtone: a '${event}' listener threw`, err);
        }
      }
    }
  }

  protected removeAllListeners(): void {
    this.#emitter.removeAllListeners();
  }
}
