// A count (of participants) as prompts to play in a row: the whole-word prompts n0..n99 with
// "hundred" and "thousand" around them. All four languages put the multiplier first and the
// rest after (345: three hundred forty-five, trois cent quarante-cinq, dreihundertfünfundvierzig,
// tres ciento cuarenta y cinco), so one rule serves them, with these simplifications:
//  - only English says "one" before hundred and thousand; French (cent, mille), German
//    (hundert, tausend) and Spanish (ciento, mil) say the word alone, as they do in speech;
//  - Spanish hundreds are "<n> ciento" (100 is "ciento", not "cien"; 500 "cinco ciento", not
//    "quinientos"), understandable for a conference count, which rarely reaches 100;
//  - no agreement (French "cents", Spanish "veintiún"): each word is one fixed recording.
import { InvalidArgumentError } from '../../errors.js';
import type { PromptLanguage } from './PromptLibrary.js';
import type { PromptName } from './promptTexts.js';

/** Counts above this are said as this: a conference never holds 10,000 people. */
export const MAX_SPOKEN_NUMBER = 9999;

/** The prompts that say `n` (a whole number from 0; above 9999 it says 9999). */
export function numberPrompts(language: PromptLanguage, n: number): PromptName[] {
  if (!Number.isInteger(n) && n !== Infinity) throw new InvalidArgumentError('n', 'must be a whole number');
  if (n < 0) throw new InvalidArgumentError('n', 'must not be negative');
  const value = Math.min(n, MAX_SPOKEN_NUMBER);
  const out: PromptName[] = [];
  const sayOne = language === 'en';
  const thousands = Math.floor(value / 1000);
  const hundreds = Math.floor(value / 100) % 10;
  const rest = value % 100;
  if (thousands > 0) {
    if (thousands > 1 || sayOne) out.push(word(thousands));
    out.push('thousand');
  }
  if (hundreds > 0) {
    if (hundreds > 1 || sayOne) out.push(word(hundreds));
    out.push('hundred');
  }
  if (rest > 0 || out.length === 0) out.push(word(rest));
  return out;
}

/** The whole-word prompt of 0..99. */
function word(n: number): PromptName {
  return `n${n}` as PromptName;
}
