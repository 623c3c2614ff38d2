import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** One file to de-identify: where it is and where its output goes under `--out`. */
export interface InputFile {
  readonly absolute: string;
  /** Path relative to the named folder (POSIX separators); the CLI's own messages only. */
  readonly relative: string;
  /** Where the output goes under `--out` (POSIX separators): `relative` as the run's output namer names it. */
  readonly output: string;
}

export type WalkProblem = { readonly kind: 'missing'; readonly input: string } | { readonly kind: 'duplicate'; readonly relative: string; readonly output: string };

/**
 * Expands files and folders (recursively, sorted, symlinks not followed) into input files.
 * A named file is always taken and keeps its base name; files found in a folder are taken when
 * `accepts` says so and keep their path relative to that folder (the others are listed as
 * `skipped`, so the run can say it left them out). With several folders, each
 * keeps its own layout, named by `outputOf` (the output namer); two inputs that would land on the
 * same output path are a problem.
 */
export function walkInputs(
  inputs: readonly string[],
  cwd: string,
  accepts: (relative: string) => boolean,
  skip: ReadonlySet<string> = new Set(),
  outputOf: (relative: string) => string = (relative) => relative,
): { files: InputFile[]; problems: WalkProblem[]; skipped: string[] } {
  const files: InputFile[] = [];
  const problems: WalkProblem[] = [];
  const skipped: string[] = [];
  const taken = new Set<string>();
  const add = (absolute: string, relative: string): void => {
    if (skip.has(absolute)) return;
    const output = outputOf(relative);
    if (taken.has(output)) {
      problems.push({ kind: 'duplicate', relative, output });
      return;
    }
    taken.add(output);
    files.push({ absolute, relative, output });
  };
  for (const input of inputs) {
    const absolute = path.resolve(cwd, input);
    const stat = statSync(absolute, { throwIfNoEntry: false });
    if (stat === undefined) {
      problems.push({ kind: 'missing', input });
    } else if (stat.isDirectory()) {
      walkFolder(absolute, '', accepts, add, skip, skipped);
    } else {
      add(absolute, path.basename(absolute));
    }
  }
  return { files, problems, skipped };
}

function walkFolder(
  folder: string,
  prefix: string,
  accepts: (relative: string) => boolean,
  add: (absolute: string, relative: string) => void,
  skip: ReadonlySet<string>,
  skipped: string[],
): void {
  if (skip.has(folder)) return;
  const entries = readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    const absolute = path.join(folder, entry.name);
    if (entry.isDirectory()) walkFolder(absolute, relative, accepts, add, skip, skipped);
    else if (entry.isFile()) {
      if (accepts(relative)) add(absolute, relative);
      else if (!skip.has(absolute)) skipped.push(relative);
    }
  }
}
