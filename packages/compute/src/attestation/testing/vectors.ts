// Test support: paths into ../shared/vectors (resolved from the repository root).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../..');
export const VECTORS = path.resolve(repoRoot, '../shared/vectors');

export function vector(rel: string): Buffer {
  return readFileSync(path.join(VECTORS, rel));
}
export function vectorText(rel: string): string {
  return readFileSync(path.join(VECTORS, rel), 'utf8');
}
