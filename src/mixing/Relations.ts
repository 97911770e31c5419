import { InvalidArgumentError } from '../errors.js';

/**
 * How one participant relates to another, as FreeSWITCH's relate and Kazoo's relationship:
 * - nohear: `a` does not hear `b`
 * - nospeak: `b` does not hear `a`
 * - clear: removes both of the above from a to b
 */
export type Relation = 'nohear' | 'nospeak' | 'clear';
export const RELATIONS: readonly Relation[] = ['nohear', 'nospeak', 'clear'];

interface PairState {
  nohear: boolean;
  nospeak: boolean;
}

/**
 * The relate matrix, kept sparse by participant id. It compiles into the kernel's per-listener
 * exclusion lists (CSR: offsets by slot, then speaker slots), which is rebuilt on control
 * changes only, never in the tick.
 */
export class Relations {
  readonly #pairs = new Map<string, { a: number; b: number; state: PairState }>();

  set(a: number, b: number, relation: Relation): void {
    if (a === b) throw new InvalidArgumentError('other_participant', 'must differ from the participant');
    if (!RELATIONS.includes(relation)) {
      throw new InvalidArgumentError('relationship', `must be one of ${RELATIONS.join(', ')}`);
    }
    const key = `${a}:${b}`;
    if (relation === 'clear') {
      this.#pairs.delete(key);
      return;
    }
    const entry = this.#pairs.get(key) ?? { a, b, state: { nohear: false, nospeak: false } };
    entry.state[relation] = true;
    this.#pairs.set(key, entry);
  }

  /** Forgets every relation that involves `id` (it left). */
  forget(id: number): void {
    for (const [key, e] of this.#pairs) if (e.a === id || e.b === id) this.#pairs.delete(key);
  }

  /** Relations from `id` to others, for realtime state. */
  of(id: number): { participantId: number; nohear: boolean; nospeak: boolean }[] {
    const out = [];
    for (const e of this.#pairs.values()) if (e.a === id) out.push({ participantId: e.b, ...e.state });
    return out;
  }

  get size(): number {
    return this.#pairs.size;
  }

  /** Builds exclusion lists for slots [0, count): listener slot -> speaker slots it must not hear. */
  compile(count: number, slotOf: (id: number) => number | undefined): { offsets: Uint32Array; list: Uint32Array } {
    const perListener: Set<number>[] = Array.from({ length: count }, () => new Set());
    const add = (listenerId: number, speakerId: number) => {
      const l = slotOf(listenerId);
      const s = slotOf(speakerId);
      if (l !== undefined && s !== undefined && l < count && s < count) perListener[l].add(s);
    };
    for (const e of this.#pairs.values()) {
      if (e.state.nohear) add(e.a, e.b);
      if (e.state.nospeak) add(e.b, e.a);
    }
    const offsets = new Uint32Array(count + 1);
    const list: number[] = [];
    for (let l = 0; l < count; l++) {
      for (const s of perListener[l]) list.push(s);
      offsets[l + 1] = list.length;
    }
    return { offsets, list: Uint32Array.from(list) };
  }
}
