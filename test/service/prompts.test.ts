import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { decodeOggOpus } from '../../src/media/store/oggOpusDecode.js';
import { numberPrompts } from '../../src/service/prompts/numberPrompts.js';
import { PROMPT_LANGUAGES, PromptLibrary, languageOf, shippedAudioDir, type PromptLanguage } from '../../src/service/prompts/PromptLibrary.js';
import { PROMPT_NAMES, PROMPT_TEXTS, type PromptName } from '../../src/service/prompts/promptTexts.js';
import { tone } from '../helpers/audio.js';
import { looksLikeSpeech, measureSpeech } from '../helpers/speech.js';

const RATE = 48000;
const oggOf = (language: PromptLanguage, name: PromptName) => join(shippedAudioDir(), language, `${name}.ogg`);
const decoded = (language: PromptLanguage, name: PromptName) => decodeOggOpus(readFileSync(oggOf(language, name)));

describe('shipped prompt audio', () => {
  it('has every prompt in every language', () => {
    const missing = PROMPT_LANGUAGES.flatMap((l) => PROMPT_NAMES.filter((n) => !existsSync(oggOf(l, n))).map((n) => `${l}/${n}`));
    expect(missing).toEqual([]);
    expect(PROMPT_NAMES).toHaveLength(17 + 100);
  });

  it('is small: under 3 MB for all four languages', () => {
    const bytes = PROMPT_LANGUAGES.flatMap((l) => PROMPT_NAMES.map((n) => statSync(oggOf(l, n)).size)).reduce((a, b) => a + b, 0);
    expect(bytes).toBeLessThan(3_000_000);
  });

  for (const language of PROMPT_LANGUAGES) {
    it(`${language}: every prompt decodes to 0.2-8 s of speech`, () => {
      const bad: string[] = [];
      for (const name of PROMPT_NAMES) {
        const pcm = decoded(language, name);
        const seconds = pcm.length / RATE;
        if (!(seconds >= 0.2 && seconds <= 8)) bad.push(`${name}: ${seconds.toFixed(2)} s`);
        else if (!looksLikeSpeech(pcm)) bad.push(`${name}: ${JSON.stringify(measureSpeech(pcm))}`);
      }
      expect(bad).toEqual([]);
    });
  }

  it('the speech check refuses a pure 440 Hz tone of the same length', () => {
    const speech = decoded('en', 'welcome');
    const sine = tone(440, RATE, speech.length / RATE);
    expect(looksLikeSpeech(speech)).toBe(true);
    expect(looksLikeSpeech(sine)).toBe(false);
    const m = measureSpeech(sine);
    expect(m.band).toBeGreaterThan(0.99); // in the voice band: only the spectral checks tell it apart
    expect(m.dominants).toBe(1);
    expect(m.flatness).toBeLessThan(1e-6);
  });

  it('has no text that espeak would spell out letter by letter', () => {
    for (const row of Object.values(PROMPT_TEXTS)) for (const text of Object.values(row)) expect(text).not.toMatch(/\bPIN\b/);
  });
});

describe('numberPrompts', () => {
  const cases: [number, Record<PromptLanguage, string>][] = [
    [0, { en: 'n0', fr: 'n0', de: 'n0', es: 'n0' }],
    [7, { en: 'n7', fr: 'n7', de: 'n7', es: 'n7' }],
    [21, { en: 'n21', fr: 'n21', de: 'n21', es: 'n21' }],
    [71, { en: 'n71', fr: 'n71', de: 'n71', es: 'n71' }],
    [100, { en: 'n1 hundred', fr: 'hundred', de: 'hundred', es: 'hundred' }],
    [345, { en: 'n3 hundred n45', fr: 'n3 hundred n45', de: 'n3 hundred n45', es: 'n3 hundred n45' }],
    [1200, { en: 'n1 thousand n2 hundred', fr: 'thousand n2 hundred', de: 'thousand n2 hundred', es: 'thousand n2 hundred' }],
    [2005, { en: 'n2 thousand n5', fr: 'n2 thousand n5', de: 'n2 thousand n5', es: 'n2 thousand n5' }],
    [9999, { en: 'n9 thousand n9 hundred n99', fr: 'n9 thousand n9 hundred n99', de: 'n9 thousand n9 hundred n99', es: 'n9 thousand n9 hundred n99' }],
    [12000, { en: 'n9 thousand n9 hundred n99', fr: 'n9 thousand n9 hundred n99', de: 'n9 thousand n9 hundred n99', es: 'n9 thousand n9 hundred n99' }],
  ];
  for (const [n, want] of cases) {
    it(`says ${n} in each language`, () => {
      for (const language of PROMPT_LANGUAGES) expect(numberPrompts(language, n).join(' '), language).toBe(want[language]);
    });
  }

  it('says the words of the table (German 21, French 71)', () => {
    expect(PROMPT_TEXTS[numberPrompts('de', 21)[0]].de).toBe('einundzwanzig');
    expect(PROMPT_TEXTS[numberPrompts('fr', 71)[0]].fr).toBe('soixante et onze');
  });

  it('names only known prompts for every count up to 9999', () => {
    const known = new Set<string>(PROMPT_NAMES);
    const unknown: string[] = [];
    for (let n = 0; n <= 9999; n++) for (const l of PROMPT_LANGUAGES) unknown.push(...numberPrompts(l, n).filter((p) => !known.has(p)));
    expect(unknown).toEqual([]);
  });

  it('rejects negative and fractional counts', () => {
    expect(() => numberPrompts('en', -1)).toThrow(InvalidArgumentError);
    expect(() => numberPrompts('en', 1.5)).toThrow(InvalidArgumentError);
    expect(() => numberPrompts('en', Number.NaN)).toThrow(InvalidArgumentError);
  });
});

describe('languageOf', () => {
  it('maps Kazoo language values to the base language, whatever their case', () => {
    expect(languageOf('en-us')).toBe('en');
    expect(languageOf('en-GB')).toBe('en');
    expect(languageOf('fr-ca')).toBe('fr');
    expect(languageOf('FR-FR')).toBe('fr');
    expect(languageOf('de-de')).toBe('de');
    expect(languageOf('de_AT')).toBe('de');
    expect(languageOf('es-mx')).toBe('es');
    expect(languageOf('ES')).toBe('es');
  });

  it('falls back to English for anything else', () => {
    for (const v of ['it-it', 'pt-br', '', 'english', 'fra', undefined, null, 42, {}]) expect(languageOf(v)).toBe('en');
  });
});

describe('PromptLibrary', () => {
  let tmp: string;
  let cacheDir: string;
  let library: PromptLibrary;

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'roomtone-prompts-test-'));
    cacheDir = join(tmp, 'cache', 'prompts');
    library = new PromptLibrary({ cacheDir });
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('file() writes the decoded prompt as 48 kHz PCM, 0600 in a 0700 directory', async () => {
    const path = await library.file('de', 'welcome');
    expect(path.startsWith(cacheDir)).toBe(true);
    expect((await stat(cacheDir)).mode & 0o777).toBe(0o700);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const want = decoded('de', 'welcome');
    const bytes = await readFile(path);
    expect(bytes.length).toBe(want.length * 2);
    expect(new Int16Array(new Uint8Array(bytes).buffer)).toEqual(want);
  });

  it('file() reuses its cached file, also from a new library on the same directory', async () => {
    const first = await library.file('fr', 'muted');
    const before = await stat(first);
    expect(await library.file('fr', 'muted')).toBe(first);
    expect(await new PromptLibrary({ cacheDir }).file('fr', 'muted')).toBe(first);
    const after = await stat(first);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  });

  it('concurrent calls for one prompt share one file', async () => {
    const paths = await Promise.all([1, 2, 3].map(() => library.file('es', 'full')));
    expect(new Set(paths).size).toBe(1);
  });

  it('sequence() is the prompts one after the other with silent gaps, built once', async () => {
    const names = ['there_are', ...numberPrompts('en', 12), 'participants'] as PromptName[];
    const path = await library.sequence('en', names);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const parts = names.map((n) => decoded('en', n));
    const gap = (80 * RATE) / 1000;
    const pcm = new Int16Array(new Uint8Array(await readFile(path)).buffer);
    expect(pcm.length).toBe(parts.reduce((s, p) => s + p.length, 0) + gap * (parts.length - 1));
    expect(pcm.subarray(0, parts[0].length)).toEqual(parts[0]);
    expect(pcm.subarray(parts[0].length, parts[0].length + gap).every((v) => v === 0)).toBe(true);
    expect(pcm.subarray(parts[0].length + gap, parts[0].length + gap + parts[1].length)).toEqual(parts[1]);

    const before = await stat(path);
    expect(await library.sequence('en', names)).toBe(path);
    expect(await new PromptLibrary({ cacheDir }).sequence('en', names)).toBe(path);
    const after = await stat(path);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  });

  it('sequence() keys its cache by the names, their order, the language and the gap', async () => {
    const a = await library.sequence('en', ['n1', 'n2']);
    const paths = [
      await library.sequence('en', ['n2', 'n1']),
      await library.sequence('fr', ['n1', 'n2']),
      await library.sequence('en', ['n1', 'n2'], 200),
    ];
    expect(new Set([a, ...paths]).size).toBe(4);
    const n1 = decoded('en', 'n1').length;
    const n2 = decoded('en', 'n2').length;
    expect((await stat(paths[2])).size).toBe((n1 + n2 + (200 * RATE) / 1000) * 2);
  });

  it('rejects unknown names, languages and gaps with InvalidArgumentError', async () => {
    await expect(library.file('en', 'nope' as PromptName)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(library.file('en', 'n100' as PromptName)).rejects.toMatchObject({ field: 'name' });
    await expect(library.file('en', 'toString' as PromptName)).rejects.toMatchObject({ field: 'name' });
    await expect(library.file('it' as PromptLanguage, 'welcome')).rejects.toMatchObject({ field: 'language' });
    await expect(library.sequence('en', ['welcome', 'nope' as PromptName])).rejects.toMatchObject({ field: 'name' });
    await expect(library.sequence('en', [])).rejects.toMatchObject({ field: 'names' });
    await expect(library.sequence('en', ['welcome'], -5)).rejects.toMatchObject({ field: 'gapMs' });
    await expect(library.sequence('en', ['welcome'], Number.NaN)).rejects.toMatchObject({ field: 'gapMs' });
  });

  it('leaves no temporary files behind', async () => {
    expect((await readdir(cacheDir)).filter((f) => !f.endsWith('.pcm'))).toEqual([]);
  });
});
