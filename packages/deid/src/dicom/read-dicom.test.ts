import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BaseError } from '@phiguard/core';
import { createPatientContextFactory } from '../context/create-patient-context-factory.ts';
import { deidKeyFromSecret } from '../context/deid-key.ts';
import { deidentifyDicom } from './deidentify-dicom.ts';
import { DicomError } from './dicom-error.ts';
import { readDicom } from './read-dicom.ts';
import { writeDicom } from './write-dicom.ts';
import { PIXEL_DATA } from './tag.ts';
import { corpusDicomFiles, readCorpus } from './test-support/corpus.ts';

const files = corpusDicomFiles();

describe('readDicom / writeDicom on the corpus', () => {
  it('finds the corpus', () => {
    expect(files.length).toBeGreaterThanOrEqual(50);
  });

  it.each(files.map((f) => [f.name]))('%s reads and rewrites byte for byte', (name) => {
    const bytes = readCorpus(name);
    const file = readDicom(bytes, { name });
    expect(file.dataset.length).toBeGreaterThan(0);
    expect(Buffer.from(writeDicom(file)).equals(bytes)).toBe(true);
  });

  it('reads every transfer syntax family of the corpus', () => {
    const syntaxes = new Set(files.map((f) => readDicom(readCorpus(f.name)).transferSyntax));
    for (const ts of [
      '1.2.840.10008.1.2',
      '1.2.840.10008.1.2.1',
      '1.2.840.10008.1.2.2',
      '1.2.840.10008.1.2.1.99',
      '1.2.840.10008.1.2.5',
      '1.2.840.10008.1.2.4.50',
      '1.2.840.10008.1.2.4.80',
      '1.2.840.10008.1.2.4.90',
    ]) {
      expect(syntaxes).toContain(ts);
    }
  });

  it('slices encapsulated fragments without copying them', () => {
    const bytes = readCorpus('dicom-pydicom-testfiles/MR_small_RLE.dcm');
    const px = readDicom(bytes).dataset.find((e) => e.tag === PIXEL_DATA);
    expect(px?.fragments?.length).toBeGreaterThan(1);
    expect(px?.fragments?.[1]?.buffer).toBe(bytes.buffer);
  });

  it('reads a UN sequence of undefined length as Implicit VR items (PS3.5 §6.2.2)', () => {
    const file = readDicom(readCorpus('dicom-pydicom-testfiles/UN_sequence.dcm'));
    const un = file.dataset[0];
    expect(un?.vr).toBe('UN');
    expect(un?.items?.[0]?.elements.map((e) => e.vr)).toContain('SQ');
  });

  it('reads a bare data set with a stray leading byte and keeps it for rewriting', () => {
    const file = readDicom(readCorpus('dicom-pydicom-testfiles/no_meta.dcm'));
    expect(file.meta).toHaveLength(0);
    expect(file.strayPrefix).toHaveLength(1);
    expect(file.dataset[0]?.tag).toBe(0x00080005);
  });
});

describe('malformed input gives a typed error naming file and tag', () => {
  const ct = readCorpus('dicom-pydicom-testfiles/CT_small.dcm');

  it('truncated', () => {
    const err = catchError(() => readDicom(ct.subarray(0, ct.length - 1000), { name: 'cut.dcm' }));
    expect(err).toBeInstanceOf(DicomError);
    expect(err.code).toBe('length-past-end');
    expect(err.place).toMatchObject({ file: 'cut.dcm', tag: '7FE0,0010' });
  });

  it('truncated inside a header', () => {
    const at = ct.indexOf(Buffer.from([0x10, 0x00, 0x10, 0x00, 0x50, 0x4e])); // (0010,0010) PN
    const err = catchError(() => readDicom(ct.subarray(0, at + 5), { name: 'cut.dcm' }));
    expect(err.code).toBe('truncated');
    expect(err.place).toMatchObject({ file: 'cut.dcm', tag: '0010,0010' });
  });

  it('bad VR', () => {
    const bad = Buffer.from(ct);
    const at = bad.indexOf(Buffer.from([0x08, 0x00, 0x16, 0x00, 0x55, 0x49])); // (0008,0016) UI
    bad[at + 4] = 0x51;
    bad[at + 5] = 0x51;
    const err = catchError(() => readDicom(bad, { name: 'vr.dcm' }));
    expect(err.code).toBe('bad-vr');
    expect(err.place).toMatchObject({ file: 'vr.dcm', tag: '0008,0016', index: at });
  });

  it('length past the end', () => {
    const bad = Buffer.from(ct);
    const at = bad.indexOf(Buffer.from([0x10, 0x00, 0x10, 0x00, 0x50, 0x4e])); // (0010,0010) PN
    bad.writeUInt16LE(0xfff0, at + 6);
    const px = readDicom(ct).dataset.find((e) => e.tag === PIXEL_DATA);
    const err = catchError(() => readDicom(bad.subarray(0, px!.offset), { name: 'len.dcm' }));
    expect(err.code).toBe('length-past-end');
    expect(err.place?.tag).toBe('0010,0010');
  });

  it('garbage preamble', () => {
    const bad = Buffer.from(ct);
    bad.fill(0x5a, 0, 200);
    const err = catchError(() => readDicom(bad, { name: 'junk.dcm' }));
    expect(err.code).toBe('bad-preamble');
    expect(err.place?.file).toBe('junk.dcm');
  });

  it('error messages carry no data values', () => {
    const err = catchError(() => readDicom(ct.subarray(0, ct.length - 1000), { name: 'cut.dcm' }));
    expect(err.describe()).not.toMatch(/CompressedSamples|ISO_IR|\d{8}/);
  });
});

describe('fuzzing (PS3.5 §7 robustness)', () => {
  const runs = Number(process.env.FUZZ_RUNS ?? 200);
  const seeds = files.filter((f) => readCorpus(f.name).length < 400_000).map((f) => readCorpus(f.name));

  it('mutated corpus files never hang or crash the reader: a file or a DicomError', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: seeds.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.option(fc.nat(), { nil: undefined }),
        (which, edits, cut) => {
          const bytes = Buffer.from(seeds[which]!);
          for (const [pos, value] of edits) bytes[pos % bytes.length] = value;
          const input = cut === undefined ? bytes : bytes.subarray(0, cut % bytes.length);
          try {
            const file = readDicom(input, { name: 'fuzz.dcm' });
            writeDicom(file);
          } catch (error) {
            expect(error).toBeInstanceOf(DicomError);
          }
        },
      ),
      { numRuns: runs },
    );
  });

  it('de-identifying mutated files gives an output that reads back, or a typed error', () => {
    const key = deidKeyFromSecret(new Uint8Array(32).fill(1));
    const factory = createPatientContextFactory(key);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: seeds.length - 1 }),
        fc.array(fc.tuple(fc.nat({ max: 4095 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        (which, edits) => {
          const bytes = Buffer.from(seeds[which]!);
          for (const [pos, value] of edits) bytes[pos % bytes.length] = value;
          try {
            const r = deidentifyDicom(bytes, {
              key,
              factory,
              burnedIn: 'accept',
              options: ['cleanDescriptors', 'retainLongitudinalModifiedDates'],
            });
            if (r.ok) readDicom(Buffer.concat(r.chunks));
          } catch (error) {
            expect(error).toBeInstanceOf(BaseError);
          }
        },
      ),
      { numRuns: process.env.FUZZ_RUNS === undefined ? 100 : runs },
    );
  });

  it('edits to header bytes only (first 2 KiB) are handled the same way', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: seeds.length - 1 }),
        fc.nat({ max: 2047 }),
        fc.integer({ min: 0, max: 255 }),
        (which, pos, value) => {
          const bytes = Buffer.from(seeds[which]!);
          bytes[pos % bytes.length] = value;
          try {
            readDicom(bytes);
          } catch (error) {
            expect(error).toBeInstanceOf(DicomError);
          }
        },
      ),
      { numRuns: runs },
    );
  });
});

function catchError(fn: () => unknown): DicomError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DicomError) return error;
    throw error;
  }
  throw new Error('expected a DicomError');
}
