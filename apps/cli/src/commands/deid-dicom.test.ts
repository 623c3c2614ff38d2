import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '@phiguard/core';
import { readDicom } from '@phiguard/deid';
import type { CliContext } from '../context.ts';
import { buildProgram } from '../program.ts';

const corpus = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../shared/corpus');

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
  process.exitCode = undefined;
});

function context(root: string): { ctx: CliContext; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let text = '';
  let errors = '';
  stdout.on('data', (c: Buffer) => (text += c.toString()));
  stderr.on('data', (c: Buffer) => (errors += c.toString()));
  return { ctx: { version: 'test', cwd: root, env: {}, stdout, stderr, config: () => loadConfig({ cwd: root, env: {} }) }, out: () => text, err: () => errors };
}

function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

describe('phiguard deid dicom', () => {
  it('de-identifies a folder, keeps the layout, quarantines burned-in risks, is resumable, writes a manifest', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'deid-dicom-'));
    dirs.push(root);
    mkdirSync(path.join(root, 'in/mr'), { recursive: true });
    copyFileSync(path.join(corpus, 'dicom-pydicom-testfiles/CT_small.dcm'), path.join(root, 'in/ct.dcm'));
    copyFileSync(path.join(corpus, 'dicom-pydicom-testfiles/MR_small.dcm'), path.join(root, 'in/mr/IM0001'));
    copyFileSync(path.join(corpus, 'dicom-pydicom-data/SC_rgb.dcm'), path.join(root, 'in/sc.dcm'));
    writeFileSync(path.join(root, 'in/mr/broken.dcm'), (() => {
      const mr = readFileSync(path.join(corpus, 'dicom-pydicom-testfiles/MR_small.dcm'));
      return mr.subarray(0, mr.length - 100); // ends inside Pixel Data
    })());
    const { ctx, out } = context(root);
    await buildProgram(ctx).parseAsync(['node', 'phiguard', 'deid', 'dicom', 'in', '--out', 'out', '--profile', 'date-shift']);
    expect(tree(path.join(root, 'out')).filter((f) => !f.startsWith('.') && !f.includes('journal'))).toEqual(['ct.dcm', 'deid-manifest.json', 'mr/IM0001']);
    const ct = readDicom(readFileSync(path.join(root, 'out/ct.dcm')));
    expect(ct.dataset.find((e) => e.tag === 0x00120062)?.value).toBeDefined();
    const manifest = JSON.parse(readFileSync(path.join(root, 'out/deid-manifest.json'), 'utf8')) as { manifest: { format: string; totals: { files: number; filesFailed: number }; problems: { code: string }[] } };
    expect(manifest.manifest.format).toBe('dicom');
    expect(manifest.manifest.totals).toMatchObject({ files: 4, filesFailed: 2 });
    expect(manifest.manifest.problems.map((p) => p.code).sort()).toEqual(['burned-in-annotation', 'length-past-end']);
    expect(process.exitCode).toBe(1);
    const secrets = ['CompressedSamples', '1.3.6.1.4.1.5962.1.2.1.20040119072730.12322'];
    for (const s of secrets) {
      expect(readFileSync(path.join(root, 'out/ct.dcm')).includes(Buffer.from(s))).toBe(false);
      expect(out()).not.toContain(s);
    }
    // Run again: finished files are resumed, not redone.
    const again = context(root);
    await buildProgram(again.ctx).parseAsync(['node', 'phiguard', 'deid', 'dicom', 'in', '--out', 'out', '--profile', 'date-shift']);
    expect(again.out()).toMatch(/resumed \(already done\)\s+4\b/);
  });

  it('rejects an unknown PS3.15 option with a typed error', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'deid-dicom-'));
    dirs.push(root);
    const { ctx } = context(root);
    await expect(buildProgram(ctx).parseAsync(['node', 'phiguard', 'deid', 'dicom', 'x', '--out', 'out', '--options', 'retainEverything'])).rejects.toMatchObject({ code: 'bad-option' });
    expect(existsSync(path.join(root, 'out'))).toBe(false);
  });
});
