import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createPatientContextFactory } from '../../context/create-patient-context-factory.ts';
import { deidKeyFromSecret } from '../../context/deid-key.ts';
import type { DicomElement } from '../dataset.ts';
import { deidentifyDicom } from '../deidentify-dicom.ts';
import type { ProfileOption } from '../profile/profile-row.ts';
import { readDicom } from '../read-dicom.ts';
import { syntheticMultiframe } from '../synthetic-multiframe.ts';
import { isPrivateCreator, isPrivateTag, tag } from '../tag.ts';
import { readCorpus } from '../test-support/corpus.ts';
import { asciiElement, asciiOf } from '../values.ts';
import { binaryWordSize, type Vr } from '../vr.ts';
import { writeDicom } from '../write-dicom.ts';
import { SAFE_PRIVATE_ATTRIBUTES, safePrivateKey, safePrivateSet } from './safe-private-attributes.ts';

const key = deidKeyFromSecret(new Uint8Array(32).fill(9));
const factory = createPatientContextFactory(key);

function deid(input: Uint8Array, options: readonly ProfileOption[]): readonly DicomElement[] {
  const r = deidentifyDicom(input, { key, factory, options, burnedIn: 'accept' });
  if (!r.ok) throw new Error('unexpected quarantine');
  return readDicom(Buffer.concat(r.chunks)).dataset;
}

const privates = (elements: readonly DicomElement[]): string[] =>
  elements.filter((e) => isPrivateTag(e.tag)).map((e) => e.tag.toString(16).padStart(8, '0'));

/** A small file with the given elements added to its top-level data set, in tag order. */
function withElements(added: readonly DicomElement[]): Uint8Array {
  const base = readDicom(Buffer.concat(syntheticMultiframe({ frames: 1, rows: 4, columns: 4 })));
  const dataset = [...base.dataset.filter((e) => !added.some((a) => a.tag === e.tag)), ...added].sort((a, b) => a.tag - b.tag);
  return writeDicom({ ...base, dataset });
}

describe('PS3.15 Table E.3.10-1 (Retain Safe Private Option)', () => {
  it('is transcribed whole: 130 rows, odd groups, element bytes, no duplicate key', () => {
    expect(SAFE_PRIVATE_ATTRIBUTES).toHaveLength(130);
    expect(SAFE_PRIVATE_ATTRIBUTES.every((s) => s.group % 2 === 1 && s.element >= 0 && s.element <= 0xff)).toBe(true);
    expect(safePrivateSet(SAFE_PRIVATE_ATTRIBUTES).size).toBe(130);
    expect(safePrivateSet(SAFE_PRIVATE_ATTRIBUTES).has(safePrivateKey('GEMS_ACQU_01', 0x0019, 0x23))).toBe(true);
    expect(safePrivateSet(SAFE_PRIVATE_ATTRIBUTES).has(safePrivateKey('Philips PET Private Group', 0x7053, 0x00))).toBe(true);
  });

  it('a GE CT keeps exactly its listed private elements, values unchanged, with their creators; all go without the option', () => {
    const input = readCorpus('dicom-pydicom-testfiles/CT_small.dcm');
    const before = readDicom(input).dataset;
    const kept = deid(input, ['retainSafePrivate']);
    // Table Speed, Mid Scan Time, Rotation Speed (GEMS_ACQU_01), Images in Series (GEMS_SERS_01) and
    // Scan Pitch Ratio (GEMS_PARM_01) are listed;
    // GEMS_IDEN_01 (0009) and the other GEMS_ACQU_01 elements, e.g. (0019,1002), are not.
    expect(privates(kept)).toEqual(['00190010', '00191023', '00191024', '00191027', '00250010', '00251007', '00430010', '00431027']);
    for (const t of [0x00191023, 0x00191024, 0x00191027, 0x00251007, 0x00431027]) {
      expect(kept.find((e) => e.tag === t)?.value).toEqual(before.find((e) => e.tag === t)?.value);
    }
    expect(privates(deid(input, []))).toEqual([]);
  });

  it('the element number under another creator is not safe: the block belongs to whoever reserved it', () => {
    const input = withElements([asciiElement(0x00190010, 'LO', 'ACME_PRIVATE'), asciiElement(0x00191023, 'DS', '5.0')]);
    expect(privates(deid(input, ['retainSafePrivate']))).toEqual([]);
  });

  it('a listed UID is replaced like any instance UID; Retain UIDs keeps it', () => {
    const uid = '1.2.826.0.1.3680043.2.1125.99.1';
    const input = withElements([asciiElement(0x00990010, 'LO', 'NQHeader'), asciiElement(0x00991002, 'UI', uid)]);
    const replaced = deid(input, ['retainSafePrivate']).find((e) => e.tag === 0x00991002);
    expect(asciiOf(replaced)).toMatch(/^2\.25\.\d+$/);
    expect(asciiOf(deid(input, ['retainSafePrivate', 'retainUids']).find((e) => e.tag === 0x00991002))).toBe(uid);
  });

  it('property: a private element survives only under the option, only when its creator + group + element byte is listed, and only in its listed shape', () => {
    const listed = SAFE_PRIVATE_ATTRIBUTES.slice(0, 60);
    const creators = [...new Set(listed.map((s) => s.creator)), 'UNKNOWN VENDOR'];
    const set = safePrivateSet(SAFE_PRIVATE_ATTRIBUTES);
    /** A value that fits each listed VR (PS3.5 Table 6.2-1). */
    const fitting = (vr: Vr): Uint8Array => {
      if (vr === 'DS' || vr === 'IS') return Buffer.from('15');
      if (vr === 'CS') return Buffer.from('AX');
      if (vr === 'UI') return Buffer.from('1.2\0');
      if (vr === 'SH' || vr === 'LO' || vr === 'LT' || vr === 'SQ') return Buffer.from(vr === 'SQ' ? '' : 'ab');
      return Buffer.alloc(binaryWordSize(vr) * 2);
    };
    fc.assert(
      fc.property(
        fc.constantFrom(...creators),
        fc.constantFrom(...new Set(listed.map((s) => s.group))),
        fc.integer({ min: 0x10, max: 0xff }),
        fc.oneof(fc.constantFrom(...listed.map((s) => s.element)), fc.integer({ min: 0, max: 0xff })),
        fc.boolean(),
        fc.constantFrom('listed', 'UN', 'name as LO'),
        (creator, group, block, element, option, shape) => {
          const t = tag(group, (block << 8) | element);
          const key = safePrivateKey(creator, group, element);
          const vr = set.get(key) ?? 'DS';
          const value: DicomElement =
            shape === 'name as LO'
              ? asciiElement(t, 'LO', 'Quixote^Zebulon')
              : { tag: t, vr: shape === 'UN' ? 'UN' : vr, value: fitting(vr), undefinedLength: false, offset: 0 };
          const input = withElements([asciiElement(tag(group, block), 'LO', creator), value]);
          const out = deid(input, option ? ['retainSafePrivate'] : []);
          // A name written as LO fits only where the table lists LO; a number, code, UID or binary value does not hold one.
          const fits = shape !== 'name as LO' || vr === 'LO';
          const expected = option && set.has(key) && fits;
          expect(out.some((e) => e.tag === t)).toBe(expected);
          // The creator goes with its last retained element.
          expect(out.some((e) => isPrivateCreator(e.tag))).toBe(expected);
        },
      ),
      { numRuns: 200 },
    );
  });
});
