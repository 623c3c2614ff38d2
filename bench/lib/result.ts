import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** True when the run was asked for `--quick` (under a minute, smaller inputs, same keys). */
export function isQuick(argv: readonly string[] = process.argv): boolean {
  return argv.includes('--quick');
}

export interface BenchResult {
  readonly bench: string;
  readonly quick: boolean;
  readonly metrics: Readonly<Record<string, number>>;
  readonly notes: string;
}

/** Writes bench/results/NAME.json in the shape docs/benchmarks.md describes, and prints it. */
export function writeResult(result: BenchResult): string {
  const cpus = os.cpus();
  const record = {
    bench: result.bench,
    date: new Date().toISOString(),
    machine: { cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    quick: result.quick,
    metrics: result.metrics,
    notes: result.notes,
  };
  const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${result.bench}.json`);
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(record.metrics, null, 2)}\nwrote ${path.relative(process.cwd(), file)}\n`);
  return file;
}

/** Percentile (0-100) of a list of numbers; nearest-rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}
