import type { BatchStreams } from './batch-progress.ts';

// Which path the console report of a `phiguard deid` batch shows for each file. Input paths can
// carry the patient (`SMITH^JOHN_MRN4455667/`), and stdout/stderr of a job often end in a log
// system: "no PHI in logs" covers file names too.

/** The values of `--report-names`. */
export const REPORT_NAME_MODES = ['auto', 'input', 'output'] as const;
export type ReportNameMode = (typeof REPORT_NAME_MODES)[number];

/** `input`: the input paths (and `input → output` in progress lines); `output`: only the output paths, as the namer wrote them. */
export type ReportNames = 'input' | 'output';

/**
 * `auto` shows input paths only to a person at a terminal (stdout and stderr both TTYs); piped or
 * logged output names the outputs, which `--names pseudonymize` (the default) keeps free of the
 * input names.
 */
export function resolveReportNames(mode: ReportNameMode | undefined, streams: BatchStreams): ReportNames {
  if (mode === 'input' || mode === 'output') return mode;
  return streams.stdout.isTTY === true && streams.stderr.isTTY === true ? 'input' : 'output';
}
