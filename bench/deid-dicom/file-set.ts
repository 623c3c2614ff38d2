// The input folders of the DICOM bench: the corpus files gdcmanon can process, and the same files
// replicated (distinct names) so that per-file costs can be told from start-up.
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { timedRun } from './pinned-run.ts';

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** Every DICOM file of the shared corpus (`dicom-*` folders), sorted. */
export function corpusDicomFiles(corpus: string): string[] {
  return readdirSync(corpus)
    .filter((d) => d.startsWith('dicom-'))
    .flatMap((d) => walk(path.join(corpus, d)))
    .filter((f) => !f.endsWith('.txt') && !f.endsWith('.json'))
    .sort();
}

/**
 * Copies into `inDir` (as 000.dcm, 001.dcm, ...) the files gdcmanon processes: it stops a
 * directory run at UN sequences and ill-formed files, and in directory mode also skips a few it
 * reads alone, so what a directory run writes is kept.
 */
export function gdcmanonFiles(all: readonly string[], inDir: string, work: string, gdcmanon: readonly string[]): string[] {
  mkdirSync(inDir);
  let taken = 0;
  const probe = path.join(work, 'probe.dcm');
  for (const f of all) {
    copyFileSync(f, probe);
    if (timedRun([], [...gdcmanon, '-i', probe, '-o', path.join(work, 'probe-out.dcm')]).ok) copyFileSync(f, path.join(inDir, `${String(taken++).padStart(3, '0')}.dcm`));
  }
  const probeOut = path.join(work, 'probe-dir');
  mkdirSync(probeOut);
  timedRun([], [...gdcmanon, '-i', inDir, '-o', probeOut]);
  const written = new Set(readdirSync(probeOut));
  for (const f of readdirSync(inDir)) if (!written.has(f)) rmSync(path.join(inDir, f));
  // probeOut stays until the bench's folder goes: deleting files just before the timed runs slows
  // the file creations that follow on ext4 (fs-arms.ts says why).
  return readdirSync(inDir).map((f) => path.join(inDir, f));
}

/** `files` copied `times` over into a new folder `dir` as K-NAME. */
export function replicate(files: readonly string[], dir: string, times: number): string[] {
  mkdirSync(dir);
  for (let k = 0; k < times; k++) for (const f of files) copyFileSync(f, path.join(dir, `${String(k)}-${path.basename(f)}`));
  return readdirSync(dir).map((f) => path.join(dir, f));
}
