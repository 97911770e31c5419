import type { ConferenceEvent } from '../conference/ConferenceEvent.js';
import { ConferenceRuntime } from '../conference/ConferenceRuntime.js';
import { Scheduler } from '../clock/Scheduler.js';
import { InvalidArgumentError, NotFoundError, serializeError } from '../errors.js';
import { openPort, openSource } from '../ports/specs.js';
import type { CommandArgs, CommandName, CommandResult, HostMessage, RequestMessage } from './protocol.js';

type Handlers = { [K in CommandName]: (args: CommandArgs<K>) => CommandResult<K> };

/**
 * Runs conferences on one thread: the main thread (inline) or a media worker. It owns the
 * thread's single Scheduler, executes commands between ticks, and posts events after ticks.
 * A conference is on the clock only while it has participants, so an empty one costs nothing.
 */
export class MediaHost {
  readonly #post: (message: HostMessage) => void;
  readonly #scheduler = new Scheduler();
  readonly #conferences = new Map<string, ConferenceRuntime>();

  constructor(post: (message: HostMessage) => void) {
    this.#post = post;
    this.#scheduler.onAfterTicks = () => {
      for (const c of this.#conferences.values()) c.drainEvents();
    };
  }

  handle(message: RequestMessage): void {
    try {
      const handler = this.#handlers[message.command] as (args: unknown) => unknown;
      if (!handler) throw new InvalidArgumentError('command', `${String(message.command)} is not a host command`);
      const result = handler(message.args);
      this.#post({ type: 'reply', id: message.id, ok: true, result: result ?? null });
    } catch (err) {
      this.#post({ type: 'reply', id: message.id, ok: false, error: serializeError(err) });
    }
  }

  readonly #handlers: Handlers = {
    createConference: ({ conferenceId, options }) => {
      if (this.#conferences.has(conferenceId)) {
        throw new InvalidArgumentError('conferenceId', `${conferenceId} already exists`);
      }
      const emit = (event: ConferenceEvent) => this.#post({ type: 'event', conferenceId, event });
      this.#conferences.set(conferenceId, new ConferenceRuntime(conferenceId, options, emit));
      return null;
    },
    closeConference: ({ conferenceId, reason }) => {
      const c = this.#conferences.get(conferenceId);
      if (!c) return null;
      this.#scheduler.remove(c);
      c.close(reason);
      this.#conferences.delete(conferenceId);
      return null;
    },
    addParticipant: ({ conferenceId, participantId, port, controls }) => {
      const c = this.#conference(conferenceId);
      c.addParticipant(participantId, openPort(port, c.format), controls);
      this.#clock(c);
      return c.state(participantId);
    },
    removeParticipant: ({ conferenceId, participantId, reason }) => {
      const c = this.#conference(conferenceId);
      c.removeParticipant(participantId, reason);
      this.#clock(c);
      return null;
    },
    updateParticipant: ({ conferenceId, participantId, patch }) =>
      this.#conference(conferenceId).update(participantId, patch),
    relate: ({ conferenceId, participantId, otherId, relation }) => {
      this.#conference(conferenceId).relate(participantId, otherId, relation);
      return null;
    },
    coach: ({ conferenceId, participantId, coachee }) => {
      this.#conference(conferenceId).coach(participantId, coachee);
      return null;
    },
    setInjection: ({ conferenceId, participantId, source }) => {
      const c = this.#conference(conferenceId);
      c.setInjection(participantId, source ? openSource(source, c.format) : null);
      return null;
    },
    participants: ({ conferenceId }) => this.#conference(conferenceId).participants(),
    conferenceStats: ({ conferenceId }) => {
      const c = this.#conference(conferenceId);
      return { conferenceId, participants: c.size, ...c.stats.toJSON() };
    },
    hostStats: () => ({
      conferences: this.#conferences.size,
      participants: [...this.#conferences.values()].reduce((n, c) => n + c.size, 0),
      scheduler: this.#scheduler.stats(),
    }),
    stall: ({ ms }) => {
      if (!(ms >= 0 && ms <= 5000)) throw new InvalidArgumentError('ms', 'must be from 0 to 5000');
      const until = performance.now() + ms;
      while (performance.now() < until);
      return null;
    },
    shutdown: () => {
      for (const id of [...this.#conferences.keys()]) {
        this.#handlers.closeConference({ conferenceId: id, reason: 'engine-closed' });
      }
      this.#scheduler.close();
      return null;
    },
  };

  #conference(id: string): ConferenceRuntime {
    const c = this.#conferences.get(id);
    if (!c) throw new NotFoundError('conference', id);
    return c;
  }

  /** Puts a conference on the clock while it has participants, and takes it off when empty. */
  #clock(c: ConferenceRuntime): void {
    if (c.size > 0) this.#scheduler.add(c);
    else this.#scheduler.remove(c);
  }
}
