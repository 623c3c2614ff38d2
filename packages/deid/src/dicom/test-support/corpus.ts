// Test support only (does file I/O; never imported by the library): the DICOM files of the shared corpus.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../..');
export const corpusRoot = path.resolve(repoRoot, '../shared/corpus');

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)],
  );
}

/** Every DICOM file under corpus/dicom-* (relative names for messages, absolute paths to read). */
export function corpusDicomFiles(): { name: string; file: string }[] {
  return readdirSync(corpusRoot)
    .filter((d) => d.startsWith('dicom-') && statSync(path.join(corpusRoot, d)).isDirectory())
    .flatMap((d) => walk(path.join(corpusRoot, d)))
    .filter((f) => !f.endsWith('.txt') && !f.endsWith('.json'))
    .sort()
    .map((file) => ({ name: path.relative(corpusRoot, file), file }));
}

export function readCorpus(name: string): Buffer {
  return readFileSync(path.join(corpusRoot, name));
}
