import type { SafeHarborCategory } from '../safe-harbor/categories.ts';
import { Hl7CountedTally } from './hl7-counted-tally.ts';

/** What the HL7 field rules count into: a category and a rule id per change. */
export interface Hl7Counts {
  add(category: SafeHarborCategory, rule: string): void;
}

/**
 * Change counts of one de-identification call as an array of slots: a (category, rule) pair gets
 * its slot once per de-identifier, so the hot path bumps a number instead of building a key
 * string and a map entry per change. {@link take} hands the counts over in bulk (an
 * {@link Hl7CountedTally}, whose entries are made only when read) in the order each pair was
 * first counted, as if every change had been added to a `DeidTally` directly.
 */
export class Hl7TallyCounter implements Hl7Counts {
  readonly #slots = new Map<string, Map<SafeHarborCategory, number>>();
  readonly #categories: SafeHarborCategory[] = [];
  readonly #rules: string[] = [];
  readonly #counts: number[] = [];
  /** Slots counted since the last flush, in first-count order. */
  #touched: number[] = [];

  /** The slot of a (category, rule) pair; stable for the life of this counter. */
  slot(category: SafeHarborCategory, rule: string): number {
    let byCategory = this.#slots.get(rule);
    if (byCategory === undefined) {
      byCategory = new Map();
      this.#slots.set(rule, byCategory);
    }
    let slot = byCategory.get(category);
    if (slot === undefined) {
      slot = this.#counts.length;
      byCategory.set(category, slot);
      this.#categories.push(category);
      this.#rules.push(rule);
      this.#counts.push(0);
    }
    return slot;
  }

  bump(slot: number): void {
    const n = this.#counts[slot] ?? 0;
    if (n === 0) this.#touched.push(slot);
    this.#counts[slot] = n + 1;
  }

  add(category: SafeHarborCategory, rule: string): void {
    this.bump(this.slot(category, rule));
  }

  /** The counts as a tally (entries made when first read); starts again from zero. */
  take(): Hl7CountedTally {
    const touched = this.#touched;
    const pairs = new Array<number>(2 * touched.length);
    for (let i = 0; i < touched.length; i++) {
      const slot = touched[i] as number;
      pairs[2 * i] = slot;
      pairs[2 * i + 1] = this.#counts[slot] ?? 0;
      this.#counts[slot] = 0;
    }
    if (touched.length > 0) this.#touched = [];
    return new Hl7CountedTally(this.#categories, this.#rules, pairs);
  }
}
