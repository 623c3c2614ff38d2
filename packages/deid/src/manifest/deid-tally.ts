import type { SafeHarborCategory } from '../safe-harbor/categories.ts';

/** One counted change: a Safe Harbor category and the rule that made it, e.g. `hl7.PID-5:redact`. */
export interface TallyEntry {
  readonly category: SafeHarborCategory;
  readonly rule: string;
  readonly n: number;
}

/**
 * Counts of changes by category and rule, kept per file or record and merged into a manifest.
 * Entries are kept in first-count order, indexed by rule (a rule almost always has one category),
 * so counting builds no key string: the formats count once per rule and call on the hot path.
 */
export class DeidTally {
  readonly #entries: TallyEntry[] = [];
  /** Per rule, the index of its entry, or of its entries when it was counted under several categories. */
  readonly #byRule = new Map<string, number | number[]>();

  add(category: SafeHarborCategory, rule: string, n = 1): void {
    const at = this.#byRule.get(rule);
    if (at === undefined) {
      this.#byRule.set(rule, this.#entries.length);
      this.#entries.push({ category, rule, n });
      return;
    }
    const indices = typeof at === 'number' ? [at] : at;
    for (const i of indices) {
      const e = this.#entries[i];
      if (e !== undefined && e.category === category) {
        this.#entries[i] = { category, rule, n: e.n + n };
        return;
      }
    }
    this.#byRule.set(rule, [...indices, this.#entries.length]);
    this.#entries.push({ category, rule, n });
  }

  merge(other: DeidTally): void {
    for (const e of other.entries()) this.add(e.category, e.rule, e.n);
  }

  entries(): readonly TallyEntry[] {
    return [...this.#entries];
  }

  total(): number {
    let sum = 0;
    for (const e of this.#entries) sum += e.n;
    return sum;
  }
}
