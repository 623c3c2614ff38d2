import { spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { fileChunks } from './streamed-file.ts';

// `phiguard deid fhir` on an NDJSON file several times larger than the V8 heap it is allowed:
// only streaming line by line (streamed-file.ts) can finish; reading the file whole cannot
// (its text alone would not fit in the heap).
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../../..');
const bulk = path.resolve(repoRoot, '../shared/corpus/fhir-bulk-ndjson-10patients');
const bin = path.resolve(repoRoot, 'apps/cli/bin/phiguard.js');
const HEAP_MB = 64;
const FILE_MB = 160;
const BROKEN_LINE = 4711;

let root: string | undefined;
afterEach(() => {
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

/** Writes corpus resources over and over (line BROKEN_LINE is broken JSON); returns the line count. */
function generate(file: string): number {
  const lines = ['Immunization', 'AllergyIntolerance', 'Location', 'Organization', 'Practitioner', 'PractitionerRole'].flatMap((f) =>
    readFileSync(path.join(bulk, `${f}.000.ndjson`), 'utf8').split('\n').filter((l) => l.trim() !== ''),
  );
  const fd = openSync(file, 'w');
  let bytes = 0;
  let n = 0;
  try {
    while (bytes < FILE_MB * 2 ** 20) {
      n++;
      const line = n === BROKEN_LINE ? '{"resourceType": "Immunization", "id": "BROKEN' : (lines[n % lines.length] ?? '');
      bytes += writeSync(fd, `${line}\n`);
    }
  } finally {
    closeSync(fd);
  }
  return n;
}

function countLines(file: string): number {
  let n = 0;
  for (const chunk of fileChunks(file)) for (const b of chunk) if (b === 10) n++;
  return n;
}

describe('phiguard deid fhir: constant memory', () => {
  it(`de-identifies a ${String(FILE_MB)} MB NDJSON file in a process limited to a ${String(HEAP_MB)} MB heap, reporting the broken line`, () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'deid-fhir-big-'));
    mkdirSync(path.join(root, 'in'));
    copyFileSync(path.join(bulk, 'Patient.000.ndjson'), path.join(root, 'in/Patient.000.ndjson'));
    const lines = generate(path.join(root, 'in/Immunization.000.ndjson'));
    expect(statSync(path.join(root, 'in/Immunization.000.ndjson')).size).toBeGreaterThan(2 * HEAP_MB * 2 ** 20);
    const run = spawnSync(process.execPath, [`--max-old-space-size=${String(HEAP_MB)}`, bin, 'deid', 'fhir', 'in', '--out', 'out', '--text-engine', 'known'], {
      cwd: root, env: { ...process.env, HOME: root }, encoding: 'utf8', maxBuffer: 64 * 2 ** 20,
    });
    expect(run.stderr).not.toMatch(/heap out of memory/i);
    // Exit 1: one record failed (the broken line); everything else was written.
    expect(run.status).toBe(1);
    expect(countLines(path.join(root, 'out/Immunization.000.ndjson'))).toBe(lines - 1);
    const manifest = readFileSync(path.join(root, 'out/deid-manifest.json'), 'utf8');
    expect(manifest).toContain('fhir-bad-json');
    expect(manifest).toContain(`"line": ${String(BROKEN_LINE)}`);
    expect(manifest).not.toContain('BROKEN');
    // Resumable: a second run finds every file done in the journal and rewrites nothing.
    const again = spawnSync(process.execPath, [`--max-old-space-size=${String(HEAP_MB)}`, bin, 'deid', 'fhir', 'in', '--out', 'out', '--text-engine', 'known'], {
      cwd: root, env: { ...process.env, HOME: root }, encoding: 'utf8', maxBuffer: 64 * 2 ** 20,
    });
    expect(again.stderr).not.toMatch(/heap out of memory/i);
    expect(`${again.stdout}${again.stderr}`).toMatch(/resumed\D*2/);
  }, 900_000);
});
