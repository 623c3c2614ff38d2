import { createHash } from 'node:crypto';
import { canonicalJsonBytes, deepFreeze, type Place } from '@phiguard/core';
import type { SafeHarborCategory } from '../safe-harbor/categories.ts';
import { DeidError } from '../context/deid-error.ts';
import type { DeidTally } from './deid-tally.ts';
import type { DeidManifest, ManifestFile, ManifestOutput, ManifestProblem, ManifestProfile } from './deid-manifest.ts';

export interface DeidManifestStart {
  readonly runId: string;
  readonly format: string;
  readonly profile: ManifestProfile;
  readonly keyId: string;
  /** RFC 3339 time the run started. */
  readonly startedAt: string;
}

const HEX64 = /^[0-9a-f]{64}$/;
const RULE = /^[A-Za-z0-9][A-Za-z0-9._:/\-[\]*]{0,127}$/;

/**
 * Collects a run's facts as it goes and builds the frozen {@link DeidManifest}. Accepts only
 * hashes, counts, codes and rule ids shaped like ids, so no data value can reach the manifest.
 */
export class DeidManifestBuilder {
  readonly #start: DeidManifestStart;
  readonly #byCategory = new Map<string, number>();
  readonly #byRule = new Map<string, number>();
  readonly #inputs: ManifestFile[] = [];
  readonly #outputs: ManifestOutput[] = [];
  readonly #problems: ManifestProblem[] = [];
  readonly #failedInputs = new Set<string>();
  #records = 0;
  #recordsFailed = 0;

  constructor(start: DeidManifestStart) {
    this.#start = { ...start, profile: { ...start.profile } };
  }

  /** Counts `n` values changed under `category` by `rule` (e.g. `hl7.PID-5:redact`). */
  count(category: SafeHarborCategory, rule: string, n = 1): this {
    if (!RULE.test(rule)) throw new TypeError('manifest rule ids are short tokens (letters, digits, . _ : / - [ ] *)');
    if (!Number.isSafeInteger(n) || n < 0) throw new TypeError('counts are non-negative integers');
    this.#byCategory.set(category, (this.#byCategory.get(category) ?? 0) + n);
    this.#byRule.set(rule, (this.#byRule.get(rule) ?? 0) + n);
    return this;
  }

  /** Adds every count of a file's or record's tally. */
  addTally(tally: DeidTally): this {
    for (const e of tally.entries()) this.count(e.category, e.rule, e.n);
    return this;
  }

  addInput(file: ManifestFile, records: number): this {
    checkHash(file.sha256);
    this.#inputs.push({ sha256: file.sha256, bytes: file.bytes });
    this.#records += records;
    return this;
  }

  addOutput(file: ManifestOutput): this {
    checkHash(file.sha256);
    checkHash(file.input);
    this.#outputs.push({ sha256: file.sha256, bytes: file.bytes, input: file.input });
    return this;
  }

  /** A record (or a whole file, without `index`) that failed; its reason is a typed error's code. */
  addProblem(input: string, code: string, message: string, place: Place = {}): this {
    checkHash(input);
    const coordinates: Omit<Place, 'file'> = Object.fromEntries(Object.entries(place).filter(([k]) => k !== 'file'));
    this.#problems.push({ input, code, message, place: coordinates });
    if (coordinates.index === undefined) this.#failedInputs.add(input);
    else this.#recordsFailed += 1;
    return this;
  }

  build(finishedAt: string): DeidManifest {
    const inputHashes = new Set(this.#inputs.map((i) => i.sha256));
    const manifest: DeidManifest = {
      v: 1,
      kind: 'phiguard.deid.manifest',
      runId: this.#start.runId,
      format: this.#start.format,
      profile: this.#start.profile,
      keyId: this.#start.keyId,
      startedAt: this.#start.startedAt,
      finishedAt,
      totals: {
        files: this.#inputs.length + [...this.#failedInputs].filter((h) => !inputHashes.has(h)).length,
        filesFailed: this.#failedInputs.size,
        records: this.#records,
        recordsFailed: this.#recordsFailed,
      },
      counts: { byCategory: sorted(this.#byCategory), byRule: sorted(this.#byRule) },
      inputs: [...this.#inputs],
      outputs: [...this.#outputs],
      problems: [...this.#problems],
    };
    return deepFreeze(structuredClone(manifest));
  }
}

/** `sha256:` + hex SHA-256 of the manifest's RFC 8785 canonical JSON. */
export function manifestHash(manifest: DeidManifest): string {
  return `sha256:${createHash('sha256').update(canonicalJsonBytes(manifest)).digest('hex')}`;
}

function checkHash(value: string): void {
  if (!HEX64.test(value)) throw new DeidError('manifest-invalid', 'manifest file hashes are 64 lower-case hex digits');
}

function sorted(map: ReadonlyMap<string, number>): Record<string, number> {
  return Object.fromEntries([...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
