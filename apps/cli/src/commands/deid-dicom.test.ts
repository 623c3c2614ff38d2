import { execFileSync, spawnSync } from 'node:child_process';
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
import { outputNamerOf } from '../testing/cli-harness.ts';

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
    // Output names are keyed tokens (extension kept): folders and files exported from a PACS are often named after the patient.
    const names = outputNamerOf(path.join(root, '.phiguard'));
    const ctOut = path.join(root, 'out', names.path('ct.dcm'));
    expect(tree(path.join(root, 'out')).filter((f) => !f.startsWith('.') && !f.includes('journal'))).toEqual(['deid-manifest.json', names.path('ct.dcm'), names.path('mr/IM0001')].sort());
    expect(names.path('mr/IM0001')).toMatch(/^[0-9A-Z]{8}\/[0-9A-Z]{8}$/);
    const ct = readDicom(readFileSync(ctOut));
    expect(ct.dataset.find((e) => e.tag === 0x00120062)?.value).toBeDefined();
    const manifest = JSON.parse(readFileSync(path.join(root, 'out/deid-manifest.json'), 'utf8')) as { manifest: { format: string; totals: { files: number; filesFailed: number }; problems: { code: string }[] } };
    expect(manifest.manifest.format).toBe('dicom');
    expect(manifest.manifest.totals).toMatchObject({ files: 4, filesFailed: 2 });
    expect(manifest.manifest.problems.map((p) => p.code).sort()).toEqual(['burned-in-annotation', 'length-past-end']);
    expect(process.exitCode).toBe(1);
    const secrets = ['CompressedSamples', '1.3.6.1.4.1.5962.1.2.1.20040119072730.12322'];
    for (const s of secrets) {
      expect(readFileSync(ctOut).includes(Buffer.from(s))).toBe(false);
      expect(out()).not.toContain(s);
    }
    // Run again: finished files are resumed, not redone.
    const again = context(root);
    await buildProgram(again.ctx).parseAsync(['node', 'phiguard', 'deid', 'dicom', 'in', '--out', 'out', '--profile', 'date-shift']);
    expect(again.out()).toMatch(/resumed \(already done\)\s+4\b/);
  });

  it('renames a DICOMDIR\'s Referenced File IDs with the files it points at, so the media still opens (dcmtk dcmmkdir fileset)', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'deid-dicomdir-'));
    dirs.push(root);
    // A fileset as media creators write it: DICOMDIR at the root, File IDs of up to 8 upper-case characters.
    mkdirSync(path.join(root, 'in/WHITFLD1'), { recursive: true });
    copyFileSync(path.join(corpus, 'dicom-pydicom-testfiles/CT_small.dcm'), path.join(root, 'in/WHITFLD1/CT1'));
    copyFileSync(path.join(corpus, 'dicom-pydicom-testfiles/MR_small.dcm'), path.join(root, 'in/WHITFLD1/MR1'));
    execFileSync('dcmmkdir', ['--general-purpose', '-A', '+r', '+id', path.join(root, 'in'), 'WHITFLD1'], { cwd: path.join(root, 'in'), stdio: 'ignore' });
    const { ctx } = context(root);
    await buildProgram(ctx).parseAsync(['node', 'phiguard', 'deid', 'dicom', 'in', '--out', 'out']);
    const out = path.join(root, 'out');
    const dicomdir = readFileSync(path.join(out, 'DICOMDIR'));
    const records = readDicom(dicomdir).dataset.find((e) => e.tag === 0x00041220)?.items ?? [];
    const text = (els: readonly { tag: number; value?: Uint8Array }[], tag: number): string => Buffer.from(els.find((e) => e.tag === tag)?.value ?? []).toString('latin1').replace(/[\0 ]+$/, '');
    const images = records.filter((r) => text(r.elements, 0x00041430) === 'IMAGE');
    expect(images).toHaveLength(2);
    for (const record of images) {
      const fileId = text(record.elements, 0x00041500).split('\\');
      expect(fileId.join('/')).not.toMatch(/WHITFLD1|CT1|MR1/);
      for (const component of fileId) expect(component).toMatch(/^[0-9A-Z]{8}$/); // PS3.10 §8.2
      // The record points at the de-identified file whose SOP Instance UID it names.
      const target = readDicom(readFileSync(path.join(out, ...fileId)));
      expect(text(target.dataset, 0x00080018)).toBe(text(record.elements, 0x00041511));
    }
    expect(spawnSync('dcmdump', ['-q', path.join(out, 'DICOMDIR')]).status).toBe(0);
  });

  it('rejects an unknown PS3.15 option with a typed error', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'deid-dicom-'));
    dirs.push(root);
    const { ctx } = context(root);
    await expect(buildProgram(ctx).parseAsync(['node', 'phiguard', 'deid', 'dicom', 'x', '--out', 'out', '--options', 'retainEverything'])).rejects.toMatchObject({ code: 'bad-option' });
    expect(existsSync(path.join(root, 'out'))).toBe(false);
  });
});
