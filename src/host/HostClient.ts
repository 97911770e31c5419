import { deserializeError, InvalidStateError } from '../errors.js';
import type { CommandArgs, CommandName, CommandResult, EventMessage, HostChannel, HostMessage } from './protocol.js';

/** The control side of one MediaHost: typed requests with replies matched by id, and events. */
export class HostClient {
  readonly channel: HostChannel;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #nextId = 1;
  #failed: Error | undefined;
  /** Conferences placed on this host, for placement decisions. */
  conferences = 0;
  participants = 0;

  constructor(channel: HostChannel, onEvent: (message: EventMessage) => void) {
    this.channel = channel;
    channel.onMessage((message: HostMessage) => {
      if (message.type === 'event') {
        onEvent(message);
        return;
      }
      const pending = this.#pending.get(message.id);
      if (!pending) return;
      this.#pending.delete(message.id);
      if (message.ok) pending.resolve(message.result);
      else pending.reject(deserializeError(message.error));
    });
    channel.onFailure((error) => {
      this.#failed = error;
      for (const p of this.#pending.values()) p.reject(error);
      this.#pending.clear();
    });
  }

  request<K extends CommandName>(command: K, args: CommandArgs<K>): Promise<CommandResult<K>> {
    if (this.#failed) return Promise.reject(new InvalidStateError(`media host failed: ${this.#failed.message}`));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.channel.send({ type: 'request', id, command, args });
    });
  }
}
