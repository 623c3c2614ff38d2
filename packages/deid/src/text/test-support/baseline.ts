// Test support only (runs git and tar; never imported by the library): the de-identification
// sources as they were before the speed work of issue #5, extracted from git history into a temp
// folder, so equivalence tests can call the old code beside the new on the same inputs.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The commit whose `packages/deid/src` is the text engine's reference. It was the parent of the
 * first speed-work commit (c8e80d4, before 55ecacc); an intentional change of the engine's output
 * moves it to the commit that made it: the surrogate fix that keeps a surrogate from containing
 * the word it replaces (3b66b94), the ZIP code after a place (d50a8fe), the surname after a
 * labelled given name (176ccf1), the city and ZIP after a street (b5c5bf5), now written-out
 * e-mails, geocodes, user names, relatives' names and names repeated in any case (27fd201),
 * repeated dates and partial SSNs (58ca48c), 94F, Canadian postal codes, ordering providers (1b3d964),
 * licence plates with a state code and MAC addresses (27512be), employer names (c6e8ad1).
 */
export const BASELINE_COMMIT = 'c6e8ad101202cd009872be66101748d356546ff9';

/** The text engine's first reference, before any speed work (the DICOM charset decoder's still). */
export const PRE_SPEED_WORK_COMMIT = 'c8e80d492bc451013d4cc93ce09b8b29d7db0342';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../..');

/** Whether `commit` is in this checkout's history (not in a shallow clone or a tarball). */
export function baselineAvailable(commit = BASELINE_COMMIT): boolean {
  try {
    execFileSync('git', ['-C', repoRoot, 'cat-file', '-e', `${commit}^{commit}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface Baseline {
  /** Imports a module of the extracted `packages/deid/src`, e.g. `text/clinical-text-deidentifier.ts`. */
  load<T>(relative: string): Promise<T>;
  dispose(): void;
}

/** Extracts `packages/deid/src` as of `commit` (default: the text engine's baseline) into a fresh temp folder. */
export function extractBaseline(commit = BASELINE_COMMIT): Baseline {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'phiguard-baseline-'));
  const tar = execFileSync('git', ['-C', repoRoot, 'archive', '--format=tar', commit, 'packages/deid/src'], {
    maxBuffer: 512 << 20,
  });
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  // Bare imports (none on the engine's path today) resolve from the repository's dependencies.
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'));
  const src = path.join(dir, 'packages/deid/src');
  return {
    load: async <T>(relative: string): Promise<T> => (await import(pathToFileURL(path.join(src, relative)).href)) as T,
    dispose: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
