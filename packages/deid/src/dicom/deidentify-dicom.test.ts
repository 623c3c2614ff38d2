import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createPatientContextFactory } from '../context/create-patient-context-factory.ts';
import { deidKeyFromSecret } from '../context/deid-key.ts';
import type { TextDeidentifier } from '../text/text-deidentifier.ts';
import { parseDeidRecipe } from './burned-in/deid-recipe.ts';
import type { DicomElement } from './dataset.ts';
import { deidentifyDicom } from './deidentify-dicom.ts';
import { PROFILE_OPTIONS, type ProfileOption } from './profile/profile-row.ts';
import { readDicom } from './read-dicom.ts';
import { writeDicom } from './write-dicom.ts';
import { syntheticMultiframe } from './synthetic-multiframe.ts';
import { PIXEL_DATA } from './tag.ts';
import { corpusDicomFiles, corpusRoot, readCorpus } from './test-support/corpus.ts';
import { identifyingValues, leaks } from './test-support/leak-checker.ts';
import { asciiOf } from './values.ts';
import { part10, seq, str, type ItemSpec } from './test-support/build-dicom.ts';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const key = deidKeyFromSecret(new Uint8Array(32).fill(7));
const factory = createPatientContextFactory(key);
const CLI_OPTIONS: ProfileOption[] = ['retainLongitudinalModifiedDates', 'cleanDescriptors', 'cleanStructuredContent', 'cleanGraphics'];
const files = corpusDicomFiles();

function out(bytes: Uint8Array, options: readonly ProfileOption[] = [], extra: Partial<Parameters<typeof deidentifyDicom>[1]> = {}) {
  const r = deidentifyDicom(bytes, { key, factory, options, burnedIn: 'accept', ...extra });
  if (!r.ok) throw new Error(`quarantined: ${r.detail}`);
  const output = Buffer.concat(r.chunks);
  return { ...r, output, read: readDicom(output) };
}

function pixelHash(elements: readonly DicomElement[]): string | undefined {
  const px = elements.find((e) => e.tag === PIXEL_DATA);
  if (px === undefined) return undefined;
  const h = createHash('sha256');
  for (const part of px.fragments ?? [px.value ?? new Uint8Array(0)]) h.update(part);
  return h.digest('hex');
}

const get = (elements: readonly DicomElement[], t: number): string | undefined => asciiOf(elements.find((e) => e.tag === t));

describe('deidentifyDicom on every corpus file (PS3.15 Annex E)', () => {
  it.each(files.map((f) => [f.name]))('%s: readable, pixels unchanged, no identifying value left', (name) => {
    const input = readCorpus(name);
    const before = readDicom(input);
    for (const options of [[], CLI_OPTIONS]) {
      const r = out(input, options);
      expect(pixelHash(r.read.dataset)).toBe(pixelHash(before.dataset));
      expect(get(r.read.dataset, 0x00120062)).toBe('YES');
      expect(r.read.dataset.find((e) => e.tag === 0x00120064)?.items?.length).toBe(1 + options.length);
      expect(get(r.read.dataset, 0x00280303)).toBe(options.length === 0 ? 'REMOVED' : 'MODIFIED');
      expect(r.read.dataset.some((e) => (e.tag >>> 16) % 2 === 1)).toBe(false);
      expect(leaks(identifyingValues(input, options), r.output).map((v) => `${v.tag} ${v.kind}`)).toEqual([]);
      expect(r.output.subarray(0, 128).every((b) => b === 0)).toBe(true); // PS3.10 §7.1 (CT_small's is a TIFF header)
      // File meta follows the data set (PS3.10 §7.1).
      const sop = get(r.read.dataset, 0x00080018);
      if (sop !== undefined && get(before.meta, 0x00020003) === get(before.dataset, 0x00080018))
        expect(get(r.read.meta, 0x00020003)).toBe(sop);
    }
  });
});

describe('the file preamble (PS3.10 §7.1)', () => {
  it('is written as 128 zero bytes, whatever the input held there', () => {
    const input = Buffer.from(readCorpus('dicom-pydicom-testfiles/MR_small.dcm'));
    input.write('PATIENT WHITFIELD^HAROLD MRN 4455667 DOB 19450312', 0, 'latin1');
    const r = out(input);
    expect(r.output.subarray(0, 132)).toEqual(Buffer.concat([Buffer.alloc(128), Buffer.from('DICM')]));
    expect(r.output.includes(Buffer.from('WHITFIELD'))).toBe(false);
  });
});

describe('one patient, one pseudonym and one date shift (shared patient context)', () => {
  it('Patient Name and ID are the pseudonym of PatientID + Issuer, and dates move by the same shift', () => {
    const input = readCorpus('dicom-pydicom-testfiles/CT_small.dcm');
    const before = readDicom(input).dataset;
    const r = out(input, CLI_OPTIONS, { identity: { issuerSystems: {}, defaultSystem: 'urn:oid:2.16.840.1.113883.19.5' } });
    const patient = factory.forPatient({ system: 'urn:oid:2.16.840.1.113883.19.5', value: get(before, 0x00100020)! });
    expect(get(r.read.dataset, 0x00100010)).toBe(patient.pseudonym);
    expect(get(r.read.dataset, 0x00100020)).toBe(patient.pseudonym);
    const d = get(before, 0x00080020)!;
    const iso = patient.shiftIsoDate(`${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6)}`).replace(/-/g, '');
    expect(get(r.read.dataset, 0x00080020)).toBe(iso);
    expect(iso).not.toBe(d);
  });

  it('two instances of one study keep one study UID and distinct instance UIDs', () => {
    const a = out(readCorpus('dicom-pydicom-testfiles/dicomdirtests_77654033_CT2_17106')).read.dataset;
    const b = out(readCorpus('dicom-pydicom-testfiles/dicomdirtests_77654033_CT2_17136')).read.dataset;
    const inA = readDicom(readCorpus('dicom-pydicom-testfiles/dicomdirtests_77654033_CT2_17106')).dataset;
    expect(get(a, 0x0020000d)).toBe(get(b, 0x0020000d));
    expect(get(a, 0x0020000e)).toBe(get(b, 0x0020000e));
    expect(get(a, 0x00080018)).not.toBe(get(b, 0x00080018));
    expect(get(a, 0x0020000d)).toMatch(/^2\.25\.[1-9]\d{0,38}$/);
    expect(get(a, 0x0020000d)).not.toBe(get(inA, 0x0020000d));
    expect(get(a, 0x00100010)).toBe(get(b, 0x00100010));
  });

  it('referenced UIDs in sequences map like the UIDs they reference', () => {
    const sr = out(readCorpus('dicom-pydicom-testfiles/test-SR.dcm')).read.dataset;
    const study = get(sr, 0x0020000d);
    const nestedStudies: string[] = [];
    const visit = (els: readonly DicomElement[]): void => {
      for (const e of els) {
        if (e.tag === 0x0020000d && e.value !== undefined) nestedStudies.push(asciiOf(e)!);
        for (const item of e.items ?? []) visit(item.elements);
      }
    };
    for (const e of sr) for (const item of e.items ?? []) visit(item.elements);
    expect(nestedStudies.length).toBeGreaterThan(0);
    expect(nestedStudies).toContain(study);
  });

  it('Retain UIDs keeps them', () => {
    const input = readCorpus('dicom-pydicom-testfiles/MR_small.dcm');
    const r = out(input, ['retainUids']);
    expect(get(r.read.dataset, 0x00080018)).toBe(get(readDicom(input).dataset, 0x00080018));
  });
});

describe('options', () => {
  it('Retain Safe Private keeps listed private elements and their creator (PS3.15 §E.3.10)', () => {
    const input = readCorpus('dicom-pydicom-testfiles/CT_small.dcm');
    const r = out(input, ['retainSafePrivate'], { safePrivate: [{ creator: 'GEMS_ACQU_01', group: 0x0019, element: 0x23 }] });
    expect(r.read.dataset.filter((e) => e.tag >>> 16 === 0x0019).map((e) => e.tag.toString(16))).toEqual(['190010', '191023']);
    expect(out(input).read.dataset.some((e) => e.tag >>> 16 === 0x0019)).toBe(false);
  });

  it('Retain Patient Characteristics keeps sex; the Basic Profile empties it', () => {
    const input = readCorpus('dicom-pydicom-testfiles/CT_small.dcm');
    expect(get(out(input, ['retainPatientCharacteristics']).read.dataset, 0x00100040)).toBe(get(readDicom(input).dataset, 0x00100040));
    expect(get(out(input).read.dataset, 0x00100040)).toBe('');
  });

  it('Clean Descriptors runs descriptors through the text port with the header identifiers', () => {
    const input = readCorpus('dicom-pydicom-testfiles/test-SR.dcm');
    expect(get(readDicom(input).dataset, 0x00081030)).toContain('Test');
    expect(get(out(input, ['cleanDescriptors']).read.dataset, 0x00081030)).toBe('OFFIS Structured Reporting [NAME] Document');
    expect(out(input).read.dataset.some((e) => e.tag === 0x00081030)).toBe(false);
  });

  it("a Code Meaning with no code is a person's text: cleaned by the text port (dummy without Clean Descriptors); a coded one stays", () => {
    const item = (code: string | undefined, meaning: string): ItemSpec => ({
      elements: [...(code === undefined ? [] : [str(0x00080100, 'SH', code)]), str(0x00080102, 'SH', '99LOCAL'), str(0x00080104, 'LO', meaning)],
    });
    const input = part10([
      str(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.2'),
      str(0x00080018, 'UI', '1.2.826.0.1.3680043.2.1143.777.2'),
      seq(0x00081032, [item('CT1', 'CT chest'), item(undefined, 'Fell at home, found by neighbor'), item(' ', 'blank code, typed')]),
    ]);
    const port: TextDeidentifier = { deidentify: ({ text }) => ({ text: `[cleaned ${String(text.length)}]`, spans: [] }) };
    const meanings = (options: readonly ProfileOption[]): (string | undefined)[] =>
      (out(input, options, { text: port }).read.dataset.find((e) => e.tag === 0x00081032)?.items ?? []).map((i) => get(i.elements, 0x00080104));
    expect(meanings(['cleanDescriptors'])).toEqual(['CT chest', '[cleaned 31]', '[cleaned 17]']);
    expect(meanings([])).toEqual(['CT chest', 'ANONYMIZED', 'ANONYMIZED']);
  });

  it('an attribute Table E.1-1 does not list is kept, unless it is typed text holding the patient\'s name or id (any letter case, any character set)', () => {
    const port: TextDeidentifier = { deidentify: ({ text }) => ({ text: `[cleaned ${String(text.length)}]`, spans: [] }) };
    const build = (charset: string, name: string, explanation: string): Buffer =>
      part10([
        str(0x00080005, 'CS', charset),
        str(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.2'),
        str(0x00080018, 'UI', '1.2.826.0.1.3680043.2.1143.777.3'),
        str(0x00080070, 'LO', 'SIEMENS'),
        str(0x00100010, 'PN', Buffer.from(name, 'utf8')),
        str(0x00100020, 'LO', 'MRN4455667'),
        str(0x00181030, 'LO', 'CHEST ROUTINE'),
        str(0x00211010, 'LO', 'x'),
        str(0x00281055, 'LO', Buffer.from(explanation, 'utf8')),
        str(0x00283003, 'LO', 'lut for mrn4455667'),
        str(0x00400254, 'LO', 'plain'),
      ]);
    const values = (bytes: Buffer): (string | undefined)[] => {
      const d = out(bytes, [], { text: port }).read.dataset;
      return [0x00080070, 0x00281055, 0x00283003].map((t) => Buffer.from(d.find((e) => e.tag === t)?.value ?? []).toString('utf8').trimEnd());
    };
    expect(values(build('ISO_IR 100', 'WHITFIELD^HAROLD', 'whitfield window'))).toEqual(['SIEMENS', '[cleaned 16]', '[cleaned 18]']);
    expect(values(build('ISO_IR 192', 'MÜLLER^HANS', 'Müller Fenster'))).toEqual(['SIEMENS', '[cleaned 14]', '[cleaned 18]']);
    // A word that only contains a name part is not the name (`HAROLDSON`), nor a part under 3 letters.
    expect(values(build('ISO_IR 100', 'LI^HAROLD', 'HAROLDSON LI window'))).toEqual(['SIEMENS', 'HAROLDSON LI window', '[cleaned 18]']);
  });

  it('Clean Graphics clears overlay bitmaps and keeps their size; the Basic Profile removes them', () => {
    const input = readCorpus('dicom-pydicom-testfiles/examples_overlay.dcm');
    const before = readDicom(input).dataset.find((e) => e.tag === 0x60003000)!.value!;
    expect(before.some((b) => b !== 0)).toBe(true);
    const cleaned = out(input, ['cleanGraphics']).read.dataset.find((e) => e.tag === 0x60003000)!.value!;
    expect(cleaned.length).toBe(before.length);
    expect(cleaned.every((b) => b === 0)).toBe(true);
    expect(out(input).read.dataset.some((e) => e.tag === 0x60003000)).toBe(false);
  });

  it('re-encodes in UTF-8 when a cleaned value does not fit an ISO 2022 character set', () => {
    const h31 = readDicom(readCorpus('dicom-pydicom-testfiles/charset_chrH31.dcm'));
    // Add a Study Description (Clean Descriptors: C) in the ISO 2022 character set.
    const description = {
      tag: 0x00081030,
      vr: 'LO' as const,
      value: Buffer.from('Yamada \x1b$B;3ED\x1b(B', 'latin1'),
      undefinedLength: false,
      offset: 0,
    };
    const dataset = [...h31.dataset.filter((e) => e.tag < 0x00081030), description, ...h31.dataset.filter((e) => e.tag > 0x00081030)];
    const input = writeDicom({ ...h31, dataset });
    const port: TextDeidentifier = { deidentify: ({ text }) => ({ text: `${text}・山`, spans: [] }) };
    const r = out(input, ['cleanDescriptors', 'retainPatientCharacteristics'], { text: port });
    expect(get(r.read.dataset, 0x00080005)).toBe('ISO_IR 192');
    expect(
      Buffer.from(r.read.dataset.find((e) => e.tag === 0x00081030)!.value!)
        .toString('utf8')
        .trimEnd(),
    ).toBe('Yamada 山田・山');
  });

  it('any combination of options gives a readable file without the patient name (property)', () => {
    const inputs = [
      'dicom-pydicom-testfiles/CT_small.dcm',
      'dicom-pydicom-testfiles/test-SR.dcm',
      'dicom-pydicom-testfiles/charset_chrH32.dcm',
    ].map(readCorpus);
    fc.assert(
      fc.property(fc.subarray([...PROFILE_OPTIONS]), fc.integer({ min: 0, max: inputs.length - 1 }), (options, i) => {
        const chosen = options.includes('retainLongitudinalFullDates')
          ? options.filter((o) => o !== 'retainLongitudinalModifiedDates')
          : options;
        const r = out(inputs[i]!, chosen);
        const names = identifyingValues(inputs[i]!, chosen).filter((v) => v.kind === 'name');
        expect(leaks(names, r.output)).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });
});

describe('burned-in annotation (PS3.15 §E.3.1)', () => {
  const sc = readCorpus('dicom-pydicom-data/SC_rgb.dcm');

  it('quarantines Secondary Capture by default', () => {
    const r = deidentifyDicom(sc, { key, factory });
    expect(r).toMatchObject({ ok: false, reason: 'burned-in-annotation', detail: 'sop-class' });
  });

  it('does not quarantine a CT without BurnedInAnnotation', () => {
    expect(deidentifyDicom(readCorpus('dicom-pydicom-testfiles/CT_small.dcm'), { key, factory }).ok).toBe(true);
  });

  it('cleans configured regions of native pixel data and leaves the rest', () => {
    const rules = parseDeidRecipe('%filter graylist\nLABEL test\n  contains Modality OT\n  coordinates 0,0,10,5\n');
    const r = deidentifyDicom(sc, { key, factory, burnedIn: 'clean', pixelRegions: rules });
    if (!r.ok) throw new Error('expected cleaning');
    const after = readDicom(Buffer.concat(r.chunks)).dataset;
    const before = readDicom(sc).dataset;
    const cols = 100;
    const px = after.find((e) => e.tag === PIXEL_DATA)!.value!;
    const orig = before.find((e) => e.tag === PIXEL_DATA)!.value!;
    expect(px.length).toBe(orig.length);
    for (let y = 0; y < 5; y++) expect([...px.subarray(y * cols * 3, y * cols * 3 + 30)].every((b) => b === 0)).toBe(true);
    expect(Buffer.compare(px.subarray(5 * cols * 3), orig.subarray(5 * cols * 3))).toBe(0);
    expect(get(after, 0x00280301)).toBe('NO');
    expect(after.find((e) => e.tag === 0x00120064)?.items?.map((i) => asciiOf(i.elements[0]))).toContain('113101');
  });

  it('parses the pydicom deid recipe: rules with coordinates', () => {
    const recipe = readFileSync(path.join(corpusRoot, 'reference-dicom-ps3.15-annexE/pydicom-deid.deid.dicom'), 'utf8');
    const rules = parseDeidRecipe(recipe);
    expect(rules.length).toBeGreaterThan(100);
    expect(rules.every((r) => r.regions.every(([x0, y0, x1, y1]) => x0 < x1 && y0 < y1))).toBe(true);
  });
});

describe('streaming design', () => {
  it('a multi-frame file: pixel data is passed through as the input bytes, not copied', () => {
    const input = Buffer.concat(syntheticMultiframe({ frames: 16, rows: 256, columns: 256 }));
    const r = deidentifyDicom(input, { key, factory });
    if (!r.ok) throw new Error('unexpected quarantine');
    const big = r.chunks.filter((c) => c.byteLength >= 16 * 256 * 256 * 2);
    expect(big).toHaveLength(1);
    expect(big[0]!.buffer).toBe(input.buffer);
    expect(Buffer.concat(r.chunks).includes(Buffer.from('Synthetic^Patient'))).toBe(false);
  });

  it('the deflated corpus files are re-deflated and read back', () => {
    const r = out(readCorpus('dicom-pydicom-testfiles/image_dfl.dcm'));
    expect(r.read.transferSyntax).toBe('1.2.840.10008.1.2.1.99');
    expect(get(r.read.dataset, 0x00120062)).toBe('YES');
  });
});
