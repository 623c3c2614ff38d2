import { describePlace } from '@phiguard/core';
import type { BatchStreams } from './batch-progress.ts';
import { placedIn, type BatchProblem, type BatchSummary } from './batch-runner.ts';
import type { ReportNames } from './report-names.ts';

/**
 * Prints the summary table and every problem (with its place, never a data value), each file named
 * by its input or its output path (`names`; a missing input by the argument as given).
 */
export function printBatchReport(summary: BatchSummary, streams: BatchStreams, names: ReportNames = 'output'): void {
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
  for (const p of summary.failed) {
    const { file, problem } = shown(p, names);
    streams.stderr.write(`failed: ${file}: ${problem.message} (${describePlace(problem.place) || 'whole file'}) [${problem.code}]\n`);
  }
  for (const p of summary.recordProblems) {
    const { file, problem } = shown(p, names);
    streams.stderr.write(`record skipped: ${file}: ${problem.message} (${describePlace(problem.place)}) [${problem.code}]\n`);
  }
}

/** The path a report line names for `p`, and its problem placed in that path. */
function shown(p: BatchProblem, names: ReportNames): { file: string; problem: BatchProblem['problem'] } {
  const file = names === 'output' && p.output !== undefined ? p.output : p.relative;
  return { file, problem: placedIn(p.problem, file) };
}

/** `3 (.xml 2, .gz 1)`: how many files were left out, by extension, most first. */
function describeSkipped(byExtension: Readonly<Record<string, number>>): string {
  const entries = Object.entries(byExtension).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const total = entries.reduce((n, [, k]) => n + k, 0);
  return `${String(total)} (${entries.map(([ext, n]) => `${ext} ${String(n)}`).join(', ')})`;
}
