// Spoken prompts heard by real RTP participants of the real server: the PIN request in the
// conference's language, and announce-count saying how many are in the conference. What a
// participant hears is decoded and checked for speech, and matched against the shipped prompt.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeOggOpus } from '../../src/media/store/oggOpusDecode.js';
import { shippedAudioDir } from '../../src/service/prompts/PromptLibrary.js';
import { sleep } from '../helpers/audio.js';
import { createConference, useApiServer } from '../helpers/apiSession.js';
import { closeMembersAfterEach, heardSince, mark, member } from '../helpers/rtpMembers.js';
import { looksLikeSpeech } from '../helpers/speech.js';

useApiServer('31920-31949');
closeMembersAfterEach();

/** Loudness per 20 ms at 48 kHz, in dB: the shape of an utterance in time. */
function envelope(pcm: Int16Array): number[] {
  const out: number[] = [];
  for (let at = 0; at + 960 <= pcm.length; at += 960) {
    let sum = 0;
    for (let i = at; i < at + 960; i++) sum += pcm[i] * pcm[i];
    out.push(10 * Math.log10(sum / 960 + 1));
  }
  return out;
}

/** The best correlation of `prompt`'s envelope with `heard`'s at any offset. */
function match(heard: Int16Array, prompt: Int16Array): number {
  const h = envelope(heard);
  const p = envelope(prompt);
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
  let best = -1;
  for (let off = 0; off + p.length <= h.length; off++) {
    const w = h.slice(off, off + p.length);
    const mw = mean(w);
    const mp = mean(p);
    let num = 0, dw = 0, dp = 0; // prettier-ignore
    for (let i = 0; i < p.length; i++) {
      num += (w[i] - mw) * (p[i] - mp);
      dw += (w[i] - mw) ** 2;
      dp += (p[i] - mp) ** 2;
    }
    best = Math.max(best, num / Math.sqrt(dw * dp + 1e-9));
  }
  return best;
}

const shipped = (language: string, name: string) => decodeOggOpus(readFileSync(join(shippedAudioDir(), language, `${name}.ogg`)));

describe('spoken prompts', () => {
  it('a caller joining a French conference with a PIN hears the PIN request spoken in French', async () => {
    const conf = (await createConference({ language: 'fr-ca', member: { pins: ['1111'], join_muted: false } })).id;
    const caller = await member(conf, null); // no PIN given: it is collected
    const from = mark(caller);
    await sleep(4500);
    const heard = heardSince(caller, from);
    expect(looksLikeSpeech(heard), 'the PIN request is speech').toBe(true);
    const fr = match(heard, shipped('fr', 'pin_request'));
    const en = match(heard, shipped('en', 'pin_request'));
    console.log(`PIN request heard: envelope correlation ${fr.toFixed(2)} with the French prompt, ${en.toFixed(2)} with the English one`);
    expect(fr).toBeGreaterThan(0.8);
    expect(fr).toBeGreaterThan(en + 0.1);
  }, 20_000);

  it('announce-count: the third caller hears how many are in the conference, spoken', async () => {
    const conf = (await createConference({ member: { join_muted: false }, play_entry_tone: false, profile: { 'announce-count': 1 } })).id;
    await member(conf, null);
    await member(conf, null);
    const third = await member(conf, null);
    const from = mark(third);
    await sleep(3500);
    const heard = heardSince(third, from);
    expect(looksLikeSpeech(heard), '"there are 3 participants", spoken').toBe(true);
    expect(match(heard, shipped('en', 'there_are')), '"there are"').toBeGreaterThan(0.7);
  }, 20_000);
});
