// Kazoo's play_name: a caller is asked for its name before it joins, the few seconds it says
// are recorded, and the conference hears "<name> has joined" / "<name> has left". While it
// speaks, nobody hears it and it hears nobody (relations), and a hidden recorder hears only it.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { decodeWav } from '../media/store/wavDecode.js';
import { resampleTo48k } from '../media/store/resampleTo48k.js';
import type { Participant } from '../engine/Participant.js';
import type { LiveConference } from './LiveConference.js';
import type { PromptLanguage, PromptLibrary } from './prompts/PromptLibrary.js';
import { whenWavComplete } from './wavFiles.js';

/** How long a caller has to say its name. */
export const NAME_MS = 3000;
const BYTES_PER_MS = 96; // 48 kHz mono s16le

export class NameRecorder {
  readonly #dir: string;
  readonly #prompts: PromptLibrary;

  constructor(dir: string, prompts: PromptLibrary) {
    this.#dir = dir;
    this.#prompts = prompts;
  }

  /** Asks for and records the caller's name; the path of its 48 kHz PCM, or undefined when nothing came of it. */
  async record(live: LiveConference, caller: Participant, callId: string, language: PromptLanguage): Promise<string | undefined> {
    const dir = join(this.#dir, live.accountId, live.id);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const others = [...live.members.keys()];
    await this.#isolate(live, caller, others, 'nohear');
    await caller.update({ held: false, muted: false });
    const prompt = await this.#prompts.file(language, 'say_your_name');
    await caller.inject({ kind: 'file', path: prompt });
    await delay(readFileSync(prompt).length / BYTES_PER_MS + 200);
    const wav = join(dir, `${safe(callId)}.wav`);
    const recorder = await live.conf.addParticipant({ port: { kind: 'record', path: wav } });
    live.hidden.add(recorder.id);
    try {
      for (const o of others) await recorder.relate(o, 'nohear');
      await delay(NAME_MS);
    } finally {
      await recorder.kick('removed');
      await caller.update({ held: true, muted: true });
      await this.#isolate(live, caller, others, 'clear');
    }
    if (!(await whenWavComplete(wav))) return undefined;
    try {
      const { samples, rate } = decodeWav(readFileSync(wav));
      const path = join(dir, `${safe(callId)}.pcm`);
      writeAtomically(path, Buffer.from(resampleTo48k(samples, rate).buffer));
      return path;
    } finally {
      rmSync(wav, { force: true });
    }
  }

  /** "<name> has joined" or "<name> has left": the name, a short pause, the prompt; made once per name. */
  async announcement(namePath: string, language: PromptLanguage, which: 'has_joined' | 'has_left'): Promise<string> {
    const path = `${namePath}.${language}.${which}.pcm`;
    const prompt = readFileSync(await this.#prompts.file(language, which));
    writeAtomically(path, Buffer.concat([readFileSync(namePath), Buffer.alloc(150 * BYTES_PER_MS), prompt]));
    return path;
  }

  /** The caller and the members do not hear each other while it records (nohear), or do again (clear). */
  async #isolate(live: LiveConference, caller: Participant, others: number[], relation: 'nohear' | 'clear'): Promise<void> {
    for (const o of others) {
      await live.conf.participant(o)?.relate(caller.id, relation);
      await caller.relate(o, relation);
    }
  }
}

const safe = (id: string) => id.replace(/[^\w.-]/g, '_').slice(0, 100);

function writeAtomically(path: string, bytes: Buffer): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes, { mode: 0o600 });
  renameSync(tmp, path);
}
