import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '@phiguard/core';
import { readBrat } from '@phiguard/deid';
import type { CliContext } from '../context.ts';
import { buildProgram } from '../program.ts';
import { outputNamerOf } from '../testing/cli-harness.ts';

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
  process.exitCode = undefined;
});

function context(root: string): { ctx: CliContext; out: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let text = '';
  stdout.on('data', (c: Buffer) => (text += c.toString()));
  stderr.on('data', () => undefined);
  return { ctx: { version: 'test', cwd: root, env: {}, stdout, stderr, config: () => loadConfig({ cwd: root, env: {} }) }, out: () => text };
}

const TINY_MODEL = path.resolve(import.meta.dirname, '../../../../packages/deid/src/text/detectors/fixtures/tiny-deid');

const NOTE = 'Patient John Smith seen 3/4/21 by Dr. Reyes. Call 617-555-0100.\n';

describe('phiguard deid text', () => {
  it('de-identifies a folder through the batch runner, keeps the layout, writes .ann spans apart from the output, and a manifest', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'deid-text-'));
    dirs.push(root);
    mkdirSync(path.join(root, 'in/sub'), { recursive: true });
    writeFileSync(path.join(root, 'in/a.txt'), NOTE);
    writeFileSync(path.join(root, 'in/sub/b.txt'), 'Smith, John MRN 12345678.\n');
    writeFileSync(path.join(root, 'in/skip.bin'), 'John Smith');
    const { ctx, out } = context(root);
    await buildProgram(ctx).parseAsync(['node', 'phiguard', 'deid', 'text', 'in', '--out', 'out', '--surrogates', '--spans', 'review', '--patient', 'urn:test|1']);
    const names = outputNamerOf(path.join(root, '.phiguard'));
    const a = readFileSync(path.join(root, 'out', names.path('a.txt')), 'utf8');
    const b = readFileSync(path.join(root, 'out', names.path('sub/b.txt')), 'utf8');
    for (const secret of ['John', 'Smith', 'Reyes', '3/4/21', '617-555-0100', '12345678']) {
      // As a word: another name's surrogate may legitimately be, say, Johnston (never Smith's own).
      const word = new RegExp(`(?<![\\p{L}\\d])${secret.replace(/[/]/g, '\\/')}(?![\\p{L}\\d])`, 'u');
      expect(a + b).not.toMatch(word);
      expect(out()).not.toMatch(word);
    }
    // same patient → same surrogate for Smith and John in both files
    const surname = /Patient (\S+) (\S+) seen/.exec(a);
    expect(b.startsWith(`${surname?.[2] ?? '?'}, ${surname?.[1] ?? '?'} `)).toBe(true);
    // The spans quote the input: they go to the review folder, in the input layout, never under --out.
    const ann = readBrat('a', NOTE, readFileSync(path.join(root, 'review/a.ann'), 'utf8'));
    expect(readFileSync(path.join(root, 'review/sub/b.ann'), 'utf8')).toContain('Smith');
    expect(ann.ok && ann.documents[0]?.spans.map((s) => s.label)).toEqual(['name', 'date', 'name', 'phone']);
    const written = readdirSync(path.join(root, 'out'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.relative(path.join(root, 'out'), path.join(e.parentPath, e.name)));
    const expected = [names.path('a.txt'), names.path('sub/b.txt'), 'deid-manifest.json', '.phiguard-deid-journal.jsonl'];
    expect(written.sort()).toEqual(expected.sort()); // no skip.bin, no input name
    expect(out()).toMatch(/changed: name\s+4/);
  });

  it('reads UTF-16 and Windows-1252 notes (a Windows export) and writes each back in its own encoding', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'deid-text-'));
    dirs.push(root);
    mkdirSync(path.join(root, 'in'));
    const note = 'Patient José Muñoz-García seen 3/4/21. Call 617-555-0100.\r\n';
    writeFileSync(path.join(root, 'in/le-bom.txt'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(note, 'utf16le')]));
    writeFileSync(path.join(root, 'in/le.txt'), Buffer.from(note, 'utf16le'));
    writeFileSync(path.join(root, 'in/be.txt'), Buffer.from(note, 'utf16le').swap16());
    writeFileSync(path.join(root, 'in/cp1252.txt'), Buffer.from(note, 'latin1'));
    const { ctx } = context(root);
    await buildProgram(ctx).parseAsync(['node', 'phiguard', 'deid', 'text', 'in', '--names', 'keep', '--out', 'out']);
    const read = (name: string, decode: (b: Buffer) => string): string => decode(readFileSync(path.join(root, 'out', name)));
    const outputs = {
      'le-bom.txt': read('le-bom.txt', (b) => (b[0] === 0xff && b[1] === 0xfe ? b.subarray(2).toString('utf16le') : 'no BOM')),
      'le.txt': read('le.txt', (b) => b.toString('utf16le')),
      'be.txt': read('be.txt', (b) => Buffer.from(b).swap16().toString('utf16le')),
      'cp1252.txt': read('cp1252.txt', (b) => b.toString('latin1')),
    };
    for (const [name, text] of Object.entries(outputs)) {
      expect(text, name).toBe('Patient [NAME] seen [DATE]. Call [PHONE].\r\n');
    }
  });

  it('names the spans of a file without a text extension NAME.ann; refuses a --spans folder inside --out (the spans quote PHI)', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'deid-text-'));
    dirs.push(root);
    writeFileSync(path.join(root, 'note'), NOTE);
    const { ctx } = context(root);
    await buildProgram(ctx).parseAsync(['node', 'phiguard', 'deid', 'text', 'note', '--names', 'keep', '--out', 'out', '--spans', 'review']);
    expect(readFileSync(path.join(root, 'out/note'), 'utf8')).toContain('[NAME]');
    expect(readFileSync(path.join(root, 'review/note.ann'), 'utf8')).toMatch(/^T1\tname /);
    for (const spans of ['out', 'out/review', '.']) {
      await expect(buildProgram(context(root).ctx).parseAsync(['node', 'phiguard', 'deid', 'text', 'note', '--out', 'out', '--spans', spans])).rejects.toMatchObject({ code: 'bad-option', place: { field: '--spans' } });
    }
  });

  it('writes category tags by default', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'deid-text-'));
    dirs.push(root);
    writeFileSync(path.join(root, 'note.txt'), NOTE);
    const { ctx } = context(root);
    await buildProgram(ctx).parseAsync(['node', 'phiguard', 'deid', 'text', 'note.txt', '--names', 'keep', '--out', 'out']);
    expect(readFileSync(path.join(root, 'out/note.txt'), 'utf8')).toBe('Patient [NAME] seen [DATE] by Dr. [NAME]. Call [PHONE].\n');
  });

  it('--model runs a local ONNX model folder beside the rules (the tiny fixture model tags zorblat quux)', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'deid-text-'));
    dirs.push(root);
    writeFileSync(path.join(root, 'note.txt'), 'Seen 3/4/21 by Dr. Reyes for the zorblat quux case.\n');
    const { ctx } = context(root);
    await buildProgram(ctx).parseAsync(['node', 'phiguard', 'deid', 'text', 'note.txt', '--names', 'keep', '--out', 'out', '--spans', 'review', '--model', TINY_MODEL]);
    expect(readFileSync(path.join(root, 'out/note.txt'), 'utf8')).toBe('Seen [DATE] by Dr. [NAME] for the [NAME] case.\n');
    expect(readFileSync(path.join(root, 'review/note.ann'), 'utf8')).toContain('\tname 33 45\tzorblat quux');
    // Without the model the invented name stays: the model is off by default.
    await buildProgram(context(root).ctx).parseAsync(['node', 'phiguard', 'deid', 'text', 'note.txt', '--names', 'keep', '--out', 'plain']);
    expect(readFileSync(path.join(root, 'plain/note.txt'), 'utf8')).toContain('the zorblat quux case');
  });

  it('--model names the missing file of an incomplete model folder', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'deid-text-'));
    dirs.push(root);
    mkdirSync(path.join(root, 'model'));
    writeFileSync(path.join(root, 'note.txt'), NOTE);
    const run = buildProgram(context(root).ctx).parseAsync(['node', 'phiguard', 'deid', 'text', 'note.txt', '--out', 'out', '--model', 'model']);
    await expect(run).rejects.toMatchObject({ code: 'bad-option', message: 'the model folder lacks config.json' });
  });
});
