// The spoken prompts as the media loader reads them: raw 48 kHz mono s16le PCM files. The
// repository ships each prompt as a small Ogg Opus file; the first use decodes it once into the
// cache directory, and a sequence ("there are" + "twelve" + "participants") is joined once and
// kept too. Cached names carry a digest of the Ogg files they came from, so regenerated prompts
// never play from a stale cache, and a later process finds the files an earlier one made.
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OPUS_DECODE_RATE } from '../../codecs/OpusDecoder.js';
import { InvalidArgumentError } from '../../errors.js';
import { decodeOggOpus } from '../../media/store/oggOpusDecode.js';
import { projectRoot } from '../../util/projectRoot.js';
import { PROMPT_TEXTS, type PromptName } from './promptTexts.js';

export const PROMPT_LANGUAGES = ['en', 'fr', 'de', 'es'] as const;
export type PromptLanguage = (typeof PROMPT_LANGUAGES)[number];

/** The table, typed so that the compiler checks every prompt has words in every language. */
const TEXTS: Readonly<Record<PromptName, Readonly<Record<PromptLanguage, string>>>> = PROMPT_TEXTS;

/** A gap longer than this is not a pause between words: refuse it rather than write the silence. */
const MAX_GAP_MS = 2000;

/** The folder of shipped Ogg Opus prompts, `<language>/<name>.ogg`, found from the project root. */
export function shippedAudioDir(): string {
  return join(projectRoot(), 'src', 'service', 'prompts', 'audio');
}

/** Kazoo's language values ('en-us', 'fr-CA', 'de_de'...) to a prompt language; anything else is English. */
export function languageOf(language: unknown): PromptLanguage {
  if (typeof language !== 'string') return 'en';
  const base = language.trim().toLowerCase().split(/[-_]/)[0];
  return (PROMPT_LANGUAGES as readonly string[]).includes(base) ? (base as PromptLanguage) : 'en';
}

export interface PromptLibraryOptions {
  /** Where decoded prompts are kept (made 0700; the library owns it). */
  cacheDir: string;
  /** Where the Ogg Opus prompts are; default: the shipped folder. */
  audioDir?: string;
}

export class PromptLibrary {
  readonly #cacheDir: string;
  readonly #audioDir: string;
  /** Digest of each prompt's Ogg file: the shipped files do not change while we run. */
  readonly #digests = new Map<string, Promise<string>>();
  /** Builds in flight by target path, so that concurrent callers share one. */
  readonly #building = new Map<string, Promise<string>>();
  #madeDir: Promise<void> | undefined;

  constructor(options: PromptLibraryOptions) {
    this.#cacheDir = options.cacheDir;
    this.#audioDir = options.audioDir ?? shippedAudioDir();
  }

  /** A raw 48 kHz mono s16le PCM file of the prompt. */
  async file(language: PromptLanguage, name: PromptName): Promise<string> {
    check(language, [name]);
    const ogg = this.#oggPath(language, name);
    const path = join(this.#cacheDir, `${language}-${name}-${await this.#digest(ogg)}.pcm`);
    return this.#once(path, async () => decodeOggOpus(await readFile(ogg)));
  }

  /** One PCM file of the prompts in order with `gapMs` of silence between them. */
  async sequence(language: PromptLanguage, names: PromptName[], gapMs = 80): Promise<string> {
    if (!Array.isArray(names) || names.length === 0) throw new InvalidArgumentError('names', 'must name at least one prompt');
    check(language, names);
    if (typeof gapMs !== 'number' || !(gapMs >= 0 && gapMs <= MAX_GAP_MS)) {
      throw new InvalidArgumentError('gapMs', `must be from 0 to ${MAX_GAP_MS}`);
    }
    const key = createHash('sha256').update(`${language}\n${gapMs}`);
    for (const name of names) key.update(`\n${name} ${await this.#digest(this.#oggPath(language, name))}`);
    const path = join(this.#cacheDir, `${language}-seq-${key.digest('hex').slice(0, 32)}.pcm`);
    return this.#once(path, async () => {
      const parts = await Promise.all(names.map(async (name) => pcmOf(await readFile(await this.file(language, name)))));
      const gap = Math.round((gapMs * OPUS_DECODE_RATE) / 1000);
      const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0) + gap * (parts.length - 1));
      let at = 0;
      for (const part of parts) {
        out.set(part, at);
        at += part.length + gap; // the gap stays zero: silence
      }
      return out;
    });
  }

  #oggPath(language: PromptLanguage, name: PromptName): string {
    return join(this.#audioDir, language, `${name}.ogg`);
  }

  #digest(ogg: string): Promise<string> {
    let digest = this.#digests.get(ogg);
    if (!digest) {
      digest = readFile(ogg).then((bytes) => createHash('sha256').update(bytes).digest('hex').slice(0, 16));
      this.#digests.set(ogg, digest);
      digest.catch(() => this.#digests.delete(ogg)); // a missing file may be generated later
    }
    return digest;
  }

  /** The cached file at `path`, made by `build` only when it is not there yet. */
  #once(path: string, build: () => Promise<Int16Array>): Promise<string> {
    let pending = this.#building.get(path);
    if (!pending) {
      pending = this.#make(path, build);
      this.#building.set(path, pending);
      const forget = () => this.#building.delete(path);
      pending.then(forget, forget);
    }
    return pending;
  }

  async #make(path: string, build: () => Promise<Int16Array>): Promise<string> {
    if (await exists(path)) return path;
    const pcm = await build();
    await (this.#madeDir ??= makePrivateDir(this.#cacheDir));
    const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength), { mode: 0o600, flag: 'wx' });
      await rename(tmp, path); // a reader never sees half a file
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
    return path;
  }
}

function check(language: unknown, names: unknown[]): void {
  if (!(PROMPT_LANGUAGES as readonly unknown[]).includes(language)) {
    throw new InvalidArgumentError('language', `must be one of ${PROMPT_LANGUAGES.join(', ')}`);
  }
  for (const name of names) {
    if (typeof name !== 'string' || !Object.hasOwn(TEXTS, name)) {
      throw new InvalidArgumentError('name', `is not a known prompt (${String(name).slice(0, 40)})`);
    }
  }
}

async function makePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700); // also when it was already there, or the umask narrowed mkdir's mode
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** The bytes of a PCM file as samples (copied when not 2-byte aligned). */
function pcmOf(bytes: Buffer): Int16Array {
  if (bytes.byteOffset % 2 === 0) return new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length >> 1);
  return new Int16Array(new Uint8Array(bytes).buffer);
}
