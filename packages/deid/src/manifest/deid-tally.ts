import type { SafeHarborCategory } from '../safe-harbor/categories.ts';

/** One counted change: a Safe Harbor category and the rule that made it, e.g. `hl7.PID-5:redact`. */
export interface TallyEntry {
  readonly category: SafeHarborCategory;
  readonly rule: string;
  readonly n: number;
}

/** Counts of changes by category and rule, kept per file or record and merged into a manifest. */
export class DeidTally {
  readonly #counts = new Map<string, TallyEntry>();

  add(category: SafeHarborCategory, rule: string, n = 1): void {
    const key = `${category}\0${rule}`;
    const known = this.#counts.get(key);
    this.#counts.set(key, { category, rule, n: (known?.n ?? 0) + n });
  }

  merge(other: DeidTally): void {
    for (const e of other.entries()) this.add(e.category, e.rule, e.n);
  }

  entries(): readonly TallyEntry[] {
    return [...this.#counts.values()];
  }

  total(): number {
    let sum = 0;
    for (const e of this.#counts.values()) sum += e.n;
    return sum;
  }
}
