import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConflictError, NotFoundError } from '../errors.js';
import type { LiveConference } from './LiveConference.js';
import { wavDurationMs, whenWavComplete } from './wavFiles.js';

export interface RecordingInfo {
  name: string;
  bytes: number;
  duration_ms: number;
  created: string;
}

const NAME = /^[\w.-]{1,100}\.wav$/;

/**
 * Conference recordings under `<dataDir>/recordings/<account>/<conference>/`: started and
 * stopped by the record action (or from the start when the document says `record: true`),
 * listed with their durations, and served for download.
 */
export class Recordings {
  readonly #dataDir: string;
  readonly #active = new Map<string, { participantId: number; file: string }>();

  constructor(dataDir: string) {
    this.#dataDir = dataDir;
  }

  active(live: LiveConference): boolean {
    return this.#active.has(keyOf(live));
  }

  async start(live: LiveConference, trimSilence = false): Promise<{ recording: string; status: string }> {
    if (this.#active.has(keyOf(live))) throw new ConflictError('the conference is already being recorded');
    const file = `${new Date().toISOString().replace(/[:.]/g, '-')}.wav`;
    const path = join(this.#dir(live.accountId, live.id), file);
    const recorder = await live.conf.addParticipant({ port: { kind: 'record', path, trimSilence } });
    live.hidden.add(recorder.id);
    this.#active.set(keyOf(live), { participantId: recorder.id, file });
    // However it ends (stop, the conference ending), the file is announced once it is complete.
    recorder.once('close', () => void this.#completed(live, file, path));
    live.publishConference('record-start', { recording: file });
    return { recording: file, status: 'recording' };
  }

  async stop(live: LiveConference | undefined, accountId: string, id: string): Promise<{ recording: string; status: string }> {
    const current = this.#active.get(`${accountId}/${id}`);
    if (!current) throw new ConflictError('the conference is not being recorded');
    this.#active.delete(`${accountId}/${id}`);
    await live?.conf.participant(current.participantId)?.kick('removed');
    live?.publishConference('record-stop', { recording: current.file });
    return { recording: current.file, status: 'stopped' };
  }

  /** record-complete, with the size and duration, once the media thread has written the WAV header. */
  async #completed(live: LiveConference, file: string, path: string): Promise<void> {
    const info = await whenWavComplete(path);
    live.publishConference('record-complete', { recording: file, bytes: info?.bytes ?? 0, duration_ms: info?.durationMs ?? 0 });
  }

  forget(accountId: string, id: string): void {
    this.#active.delete(`${accountId}/${id}`);
  }

  list(accountId: string, id: string): RecordingInfo[] {
    const dir = this.#dir(accountId, id);
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((name) => NAME.test(name))
      .map((name) => {
        const path = join(dir, name);
        const st = statSync(path);
        return { name, bytes: st.size, duration_ms: wavDurationMs(path, st.size), created: st.mtime.toISOString() };
      });
  }

  /** The file of a recording, by a name list() returned. */
  path(accountId: string, id: string, name: string): string {
    const path = join(this.#dir(accountId, id), name);
    if (!NAME.test(name) || !existsSync(path)) throw new NotFoundError('recording', name);
    return path;
  }

  #dir(accountId: string, id: string): string {
    return join(this.#dataDir, 'recordings', accountId, id);
  }
}

const keyOf = (live: LiveConference) => `${live.accountId}/${live.id}`;
