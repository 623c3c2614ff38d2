import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** One file to de-identify: where it is and where its output goes under `--out`. */
export interface InputFile {
  readonly absolute: string;
  /** Relative path kept under the output folder (POSIX separators). */
  readonly relative: string;
}

export type WalkProblem = { readonly kind: 'missing'; readonly input: string } | { readonly kind: 'duplicate'; readonly relative: string };

/**
 * Expands files and folders (recursively, sorted, symlinks not followed) into input files.
 * A named file is always taken and keeps its base name; files found in a folder are taken when
 * `accepts` says so and keep their path relative to that folder (the others are listed as
 * `skipped`, so the run can say it left them out). With several folders, each
 * keeps its own layout; two inputs that would land on the same output path are a problem.
 */
export function walkInputs(
  inputs: readonly string[],
  cwd: string,
  accepts: (relative: string) => boolean,
  skip: ReadonlySet<string> = new Set(),
): { files: InputFile[]; problems: WalkProblem[]; skipped: string[] } {
  const files: InputFile[] = [];
  const problems: WalkProblem[] = [];
  const skipped: string[] = [];
  const taken = new Set<string>();
  const add = (absolute: string, relative: string): void => {
    if (skip.has(absolute)) return;
    if (taken.has(relative)) {
      problems.push({ kind: 'duplicate', relative });
      return;
    }
    taken.add(relative);
    files.push({ absolute, relative });
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
