import { describePlace } from '@phiguard/core';
import type { BatchStreams } from './batch-progress.ts';
import type { BatchSummary } from './batch-runner.ts';

/** Prints the summary table and every problem (with its place, never a data value). */
export function printBatchReport(summary: BatchSummary, streams: BatchStreams): void {
  const m = summary.manifest;
  const rows: [string, string][] = [
    ['files', String(summary.files)],
    ...(Object.keys(summary.skippedByExtension).length === 0 ? [] : [['  not taken (other formats)', describeSkipped(summary.skippedByExtension)] as [string, string]]),
    ['  resumed (already done)', String(summary.resumed)],
    ['  failed', String(summary.failed.length)],
    ['records', String(m.totals.records)],
    ['  failed', String(m.totals.recordsFailed)],
    ...Object.entries(m.counts.byCategory).map(([category, n]): [string, string] => [`changed: ${category}`, String(n)]),
    ['profile', `${m.profile.id} ${m.profile.version}`],
    ['manifest', summary.manifestFile],
    ['manifest hash', summary.signed.hash],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  streams.stdout.write(`\n${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`);
  if (Object.keys(summary.skippedByExtension).length > 0) {
    streams.stderr.write(`note: files in the input folders that this command does not read were left out (${describeSkipped(summary.skippedByExtension)}); see the supported extensions in \`--help\`\n`);
  }
  for (const { relative, problem } of summary.failed) {
    streams.stderr.write(`failed: ${relative}: ${problem.message} (${describePlace(problem.place) || 'whole file'}) [${problem.code}]\n`);
  }
  for (const { relative, problem } of summary.recordProblems) {
    streams.stderr.write(`record skipped: ${relative}: ${problem.message} (${describePlace(problem.place)}) [${problem.code}]\n`);
  }
}

/** `3 (.xml 2, .gz 1)`: how many files were left out, by extension, most first. */
function describeSkipped(byExtension: Readonly<Record<string, number>>): string {
  const entries = Object.entries(byExtension).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const total = entries.reduce((n, [, k]) => n + k, 0);
  return `${String(total)} (${entries.map(([ext, n]) => `${ext} ${String(n)}`).join(', ')})`;
}
