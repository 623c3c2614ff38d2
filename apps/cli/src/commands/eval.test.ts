import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '@phiguard/core';
import type { CliContext } from '../context.ts';
import { buildProgram } from '../program.ts';

const corpus = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../shared/corpus');
let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

function context(root: string): { ctx: CliContext; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = '';
  let e = '';
  stdout.on('data', (c: Buffer) => (o += c.toString()));
  stderr.on('data', (c: Buffer) => (e += c.toString()));
  return { ctx: { version: 'test', cwd: root, env: {}, stdout, stderr, config: () => loadConfig({ cwd: root, env: {} }) }, out: () => o, err: () => e };
}

describe('phiguard eval text', () => {
  it('scores a BRAT gold folder, prints figures only and writes the misses to a private file', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'eval-text-'));
    dirs.push(root);
    writeFileSync(path.join(root, 'n1.txt'), 'Seen by Dr. Reyes on 3/4/21. zorblat quux called.');
    writeFileSync(path.join(root, 'n1.ann'), 'T1\tDOCTOR 12 17\tReyes\nT2\tDATE 21 27\t3/4/21\nT3\tPATIENT 29 41\tzorblat quux\n');
    const { ctx, out, err } = context(root);
    await buildProgram(ctx).parseAsync(['node', 'phiguard', 'eval', 'text', '--gold', '.', '--misses', 'misses.json']);
    expect(out()).toMatch(/documents: 1/);
    expect(out()).toMatch(/date\s+3\s+100\.0%/);
    expect(out()).not.toContain('zorblat');
    expect(err()).not.toContain('zorblat');
    const misses = JSON.parse(readFileSync(path.join(root, 'misses.json'), 'utf8')) as { text: string }[];
    expect(misses.map((m) => m.text)).toEqual(['zorblat quux']);
    expect(statSync(path.join(root, 'misses.json')).mode & 0o077).toBe(0);
  });

  it('--model adds a local ONNX model: the tiny fixture model finds the miss of the rules', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'eval-text-'));
    dirs.push(root);
    writeFileSync(path.join(root, 'n1.txt'), 'Seen by Dr. Reyes on 3/4/21. zorblat quux called.');
    writeFileSync(path.join(root, 'n1.ann'), 'T1\tDOCTOR 12 17\tReyes\nT2\tDATE 21 27\t3/4/21\nT3\tPATIENT 29 41\tzorblat quux\n');
    const model = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../packages/deid/src/text/detectors/fixtures/tiny-deid');
    const { ctx, out } = context(root);
    await buildProgram(ctx).parseAsync(['node', 'phiguard', 'eval', 'text', '--gold', '.', '--misses', 'misses.json', '--model', model]);
    expect(out()).toMatch(/0 misses written/);
    expect(JSON.parse(readFileSync(path.join(root, 'misses.json'), 'utf8'))).toEqual([]);
  });

  it('reads the Presidio dataset of the corpus', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'eval-text-'));
    dirs.push(root);
    const { ctx, out } = context(root);
    await buildProgram(ctx).parseAsync(['node', 'phiguard', 'eval', 'text', '--gold', path.join(corpus, 'text-presidio-synthetic-pii'), '--format', 'presidio', '--misses', 'm.json']);
    expect(out()).toMatch(/documents: 1500/);
    expect(out()).toMatch(/tokens, relaxed/);
  });
});
