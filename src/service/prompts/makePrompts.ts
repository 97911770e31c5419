// Regenerates the shipped prompts (`npm run prompts`): espeak-ng speaks each text of
// promptTexts to WAV, and ffmpeg trims the silence espeak leaves around it and encodes small
// Ogg Opus files into the audio folder. Only this script needs espeak-ng and ffmpeg (Debian
// packages); installing and running roomtone use the committed files. The output is
// bit-exact, so regenerating unchanged texts leaves git with nothing to commit.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROMPT_LANGUAGES, shippedAudioDir, type PromptLanguage } from './PromptLibrary.js';
import { PROMPT_NAMES, PROMPT_TEXTS, type PromptName } from './promptTexts.js';

const run = promisify(execFile);

/** espeak-ng voice and speed (words per minute; its default 175 is hurried for a phone line). */
const VOICES: Record<PromptLanguage, { voice: string; speed: number }> = {
  en: { voice: 'en-us', speed: 150 },
  fr: { voice: 'fr', speed: 150 },
  de: { voice: 'de', speed: 145 },
  es: { voice: 'es', speed: 150 },
};

/** No single prompt takes a tool longer than this; a hung child is killed, not waited for. */
const CHILD_TIMEOUT_MS = 20_000;

/** Cut the silence before and after the words, keeping 30 ms, so that sequences join tightly. */
const TRIM = 'silenceremove=start_periods=1:start_threshold=-50dB:start_silence=0.03';
const FILTER = `${TRIM},areverse,${TRIM},areverse`;

/** Speech at 24 kHz, 20 kbit/s in Opus's voice mode: clear on a phone and ~2.5 kB a second. */
const ENCODE = ['-ac', '1', '-ar', '24000', '-c:a', 'libopus', '-b:a', '20k', '-application', 'voip', '-frame_duration', '20'];
const BITEXACT = ['-map_metadata', '-1', '-fflags', '+bitexact', '-flags:a', '+bitexact'];

async function child(file: string, args: string[]): Promise<void> {
  await run(file, args, { timeout: CHILD_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 1 << 20 });
}

async function makeOne(language: PromptLanguage, name: PromptName, work: string, outDir: string): Promise<number> {
  const { voice, speed } = VOICES[language];
  const wav = join(work, `${language}-${name}.wav`);
  const out = join(outDir, `${name}.ogg`);
  const tmp = `${out}.tmp`;
  await child('espeak-ng', ['-v', voice, '-s', String(speed), '-w', wav, PROMPT_TEXTS[name][language]]);
  await child('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-i', wav, '-af', FILTER, ...ENCODE, ...BITEXACT, '-f', 'ogg', tmp]);
  await rename(tmp, out);
  return (await stat(out)).size;
}

/** Runs `task` over `items` with at most `limit` at a time. */
async function pool<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

async function main(): Promise<void> {
  const audioDir = shippedAudioDir();
  const work = await mkdtemp(join(tmpdir(), 'roomtone-prompts-'));
  let total = 0;
  try {
    for (const language of PROMPT_LANGUAGES) {
      const outDir = join(audioDir, language);
      await mkdir(outDir, { recursive: true });
      const sizes = await pool(PROMPT_NAMES, availableParallelism(), (name) => makeOne(language, name, work, outDir));
      const bytes = sizes.reduce((a, b) => a + b, 0);
      total += bytes;
      console.log(`${language}: ${sizes.length} prompts, ${(bytes / 1024).toFixed(0)} KiB (${VOICES[language].voice})`);
    }
    console.log(`total: ${(total / 1024).toFixed(0)} KiB in ${audioDir}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(`prompts: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
