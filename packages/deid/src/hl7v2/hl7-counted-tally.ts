import { DeidTally, type TallyEntry } from '../manifest/deid-tally.ts';
import type { SafeHarborCategory } from '../safe-harbor/categories.ts';

/**
 * A {@link DeidTally} handed over in bulk: the counts of one de-identification call as (slot,
 * count) pairs over the counter's slot tables, turned into the tally's entries the first time the
 * tally is read or added to. A caller that merges a file's tally into its manifest pays for the
 * entries then, once per file; one that does not read it (a feed counting elsewhere, the bench)
 * does not pay at all. The entries are those, in the order, that adding every pair to a fresh
 * `DeidTally` gives (hl7-counted-tally.test.ts).
 */
export class Hl7CountedTally extends DeidTally {
  /** Slot tables of the counter: append-only, so a slot keeps its pair for the counter's life. */
  readonly #categories: readonly SafeHarborCategory[];
  readonly #rules: readonly string[];
  /** Slot, count, slot, count, ... in first-count order; `undefined` once turned into entries. */
  #pairs: number[] | undefined;

  constructor(categories: readonly SafeHarborCategory[], rules: readonly string[], pairs: number[]) {
    super();
    this.#categories = categories;
    this.#rules = rules;
    this.#pairs = pairs.length === 0 ? undefined : pairs;
  }

  override add(category: SafeHarborCategory, rule: string, n = 1): void {
    this.#materialize();
    super.add(category, rule, n);
  }

  override merge(other: DeidTally): void {
    this.#materialize();
    super.merge(other);
  }

  override entries(): readonly TallyEntry[] {
    this.#materialize();
    return super.entries();
  }

  override total(): number {
    this.#materialize();
    return super.total();
  }

  #materialize(): void {
    const pairs = this.#pairs;
    if (pairs === undefined) return;
    this.#pairs = undefined;
    for (let i = 0; i < pairs.length; i += 2) {
      const slot = pairs[i] as number;
      super.add(this.#categories[slot] ?? 'other-id', this.#rules[slot] ?? '', pairs[i + 1]);
    }
  }
}
