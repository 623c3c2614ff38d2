// DICOMDIR (PS3.10 §8, PS3.3 Annex F) built by dcmtk dcmmkdir from corpus files (Debian dcmtk, installed by .ci/run).
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPatientContextFactory } from '../context/create-patient-context-factory.ts';
import { deidKeyFromSecret } from '../context/deid-key.ts';
import type { DicomElement, DicomItem } from './dataset.ts';
import { deidentifyDicom } from './deidentify-dicom.ts';
import { readDicom } from './read-dicom.ts';
import { corpusRoot } from './test-support/corpus.ts';
import { asciiOf } from './values.ts';

const key = deidKeyFromSecret(new Uint8Array(32).fill(5));
const factory = createPatientContextFactory(key);
const IMAGES: Record<string, string> = {
  CT1: 'dicom-pydicom-testfiles/CT_small.dcm',
  MR1: 'dicom-pydicom-testfiles/MR_small.dcm',
  CT2: 'dicom-pydicom-testfiles/dicomdirtests_77654033_CT2_17106',
  CT3: 'dicom-pydicom-testfiles/dicomdirtests_77654033_CT2_17136',
};
const FILE_SET_ID = 'WHITFIELD_H';
let dir = '';
let input: Buffer;
let output: Buffer;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'dicomdir-'));
  mkdirSync(path.join(dir, 'IMG'));
  for (const [name, file] of Object.entries(IMAGES)) copyFileSync(path.join(corpusRoot, file), path.join(dir, 'IMG', name));
  // A CD burner's labels: the patient's name as File-set ID, and a free-text README as descriptor.
  writeFileSync(path.join(dir, 'README'), 'Study CD for WHITFIELD HAROLD, MRN 4455667\n');
  execFileSync('dcmmkdir', ['--general-purpose', '-A', '+r', '+id', dir, '+F', FILE_SET_ID, '+R', 'README', 'IMG'], { cwd: dir, stdio: 'ignore' });
  input = readFileSync(path.join(dir, 'DICOMDIR'));
  const r = deidentifyDicom(input, { key, factory, options: ['retainLongitudinalModifiedDates'] });
  if (!r.ok) throw new Error('unexpected quarantine');
  output = Buffer.concat(r.chunks);
  writeFileSync(path.join(dir, 'OUT'), output);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const ul = (e: DicomElement | undefined): number => (e?.value === undefined ? 0 : Buffer.from(e.value).readUInt32LE(0));
const get = (els: readonly DicomElement[], t: number): string | undefined => asciiOf(els.find((e) => e.tag === t));

function records(bytes: Buffer): { items: readonly DicomItem[]; at: Map<number, DicomItem>; root: readonly DicomElement[] } {
  const file = readDicom(bytes);
  const items = file.dataset.find((e) => e.tag === 0x00041220)?.items ?? [];
  return { items, at: new Map(items.map((i) => [i.raw!.byteOffset - bytes.byteOffset, i])), root: file.dataset };
}

describe('DICOMDIR de-identification', () => {
  it('every record offset points at the record it pointed at before (PS3.3 §F.3.2.1)', () => {
    const before = records(input);
    const after = records(output);
    expect(after.items).toHaveLength(before.items.length);
    const typeAt = (r: ReturnType<typeof records>, offset: number): string | undefined => {
      const item = r.at.get(offset);
      return item === undefined ? undefined : get(item.elements, 0x00041430);
    };
    for (const t of [0x00041200, 0x00041202]) {
      const o = ul(after.root.find((e) => e.tag === t));
      expect(typeAt(after, o)).toBe(typeAt(before, ul(before.root.find((e) => e.tag === t))));
    }
    before.items.forEach((item, i) => {
      for (const t of [0x00041400, 0x00041420]) {
        const old = ul(item.elements.find((e) => e.tag === t));
        const now = ul(after.items[i]!.elements.find((e) => e.tag === t));
        if (old === 0) expect(now).toBe(0);
        else expect(after.at.get(now)).toBe(after.items[before.items.indexOf(before.at.get(old)!)]);
      }
    });
    expect(output.length).not.toBe(input.length);
  });

  it('records carry the same pseudonyms and UIDs as the de-identified images', () => {
    const after = records(output);
    for (const [name, file] of Object.entries(IMAGES)) {
      const r = deidentifyDicom(readFileSync(path.join(corpusRoot, file)), { key, factory, options: ['retainLongitudinalModifiedDates'] });
      if (!r.ok) throw new Error('unexpected quarantine');
      const image = readDicom(Buffer.concat(r.chunks)).dataset;
      const record = after.items.find((i) => get(i.elements, 0x00041500)?.endsWith(name) === true);
      expect(get(record!.elements, 0x00041511)).toBe(get(image, 0x00080018));
      const patient = after.items.find(
        (i) => get(i.elements, 0x00041430) === 'PATIENT' && get(i.elements, 0x00100020) === get(image, 0x00100020),
      );
      expect(patient).toBeDefined();
    }
    expect(output.includes(Buffer.from(get(readDicom(readFileSync(path.join(corpusRoot, IMAGES.CT1!))).dataset, 0x00100010)!))).toBe(false);
  });

  it('empties the File-set ID and drops the descriptor file reference (PS3.3 §F.3.2.1; not in Table E.1-1)', () => {
    const before = records(input).root;
    expect(get(before, 0x00041130)).toBe(FILE_SET_ID);
    expect(get(before, 0x00041141)).toBe('README');
    const after = records(output).root;
    expect(after.find((e) => e.tag === 0x00041130)?.value?.byteLength).toBe(0);
    expect(after.find((e) => e.tag === 0x00041141)).toBeUndefined();
    expect(after.find((e) => e.tag === 0x00041142)).toBeUndefined();
    expect(output.includes(Buffer.from(FILE_SET_ID))).toBe(false);
    expect(output.includes(Buffer.from('README'))).toBe(false);
  });

  it('dcmtk reads the output and finds the records', () => {
    const r = spawnSync('dcmdump', ['-q', path.join(dir, 'OUT')], { encoding: 'latin1' });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('dciodvfy reports no new kind of error', () => {
    const errors = (f: string): string[] =>
      spawnSync('dciodvfy', [f], { encoding: 'latin1' })
        .stderr.split('\n')
        .filter((l) => l.startsWith('Error'))
        .map((l) => l.replace(/<[^>]*>/g, '').replace(/\d+/g, 'N'));
    const before = new Set(errors(path.join(dir, 'DICOMDIR')));
    expect(errors(path.join(dir, 'OUT')).filter((e) => !before.has(e))).toEqual([]);
  });
});
