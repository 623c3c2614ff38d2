// Identifiers in unusual but plausible shapes (nested, wrong VR, odd padding, out of place,
// private, file meta, other encodings) must not survive de-identification (PS3.15 Annex E).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPatientContextFactory } from '../context/create-patient-context-factory.ts';
import { deidKeyFromSecret } from '../context/deid-key.ts';
import { DicomError } from './dicom-error.ts';
import { deidentifyDicom } from './deidentify-dicom.ts';
import type { ProfileOption } from './profile/profile-row.ts';
import { readDicom } from './read-dicom.ts';
import {
  bare,
  EXPLICIT_BE,
  EXPLICIT_LE,
  IMPLICIT_LE,
  part10,
  raw,
  seq,
  str,
  TS,
  type Built,
  type Enc,
  type ItemSpec,
} from './test-support/build-dicom.ts';

const key = deidKeyFromSecret(new Uint8Array(32).fill(9));
const factory = createPatientContextFactory(key);
const CLEAN: ProfileOption[] = ['retainLongitudinalModifiedDates', 'cleanDescriptors', 'cleanStructuredContent', 'cleanGraphics'];
const OPTION_SETS: readonly (readonly ProfileOption[])[] = [
  [],
  CLEAN,
  ['retainSafePrivate', 'cleanDescriptors'],
  ['retainUids', 'retainDeviceIdentity', 'retainInstitutionIdentity'],
];

const NAME = 'Quixote^Zebulon';
const PATIENT_ID = 'MRN774411';
const BIRTH = '19500504';
const ADDRESS = '12 Rocinante Lane';
const PHONE = '555-0199';
const ACCESSION = 'ACC99117';
/** 山田^太郎 in ISO 2022 IR 87 (JIS X 0208 in G0), and its kanji. */
const JIS_NAME = '\x1b$B;3ED\x1b(B^\x1b$BB@O:\x1b(B';

/** What must not appear in output, case-insensitively for the ASCII ones (seeds, parts, reorderings). */
const SEEDS: readonly Buffer[] = ['Quixote', 'Zebulon', PATIENT_ID, BIRTH, 'Rocinante', PHONE, '5550199', ACCESSION].map((s) =>
  Buffer.from(s.toLowerCase(), 'latin1'),
);
const BINARY_SEEDS: readonly Buffer[] = [
  Buffer.from('\x1b$B;3ED', 'latin1'),
  Buffer.from('B@O:', 'latin1'),
  Buffer.from('山田', 'utf8'),
  Buffer.from('太郎', 'utf8'),
];

/** The seeds found in output bytes (names only, never the bytes around them). */
function seedsIn(output: Uint8Array): string[] {
  const lower = Buffer.from(Buffer.from(output).toString('latin1').toLowerCase(), 'latin1');
  const plain = Buffer.from(output);
  return [
    ...SEEDS.filter((s) => lower.includes(s)).map((s) => s.toString('latin1')),
    ...BINARY_SEEDS.filter((s) => plain.includes(s)).map((s) => `bytes ${s.toString('hex')}`),
  ];
}

const PN = 0x00100010;

/** A CT instance with the seeds in their usual places; `extra` replaces elements of the same tag. */
function dataset(extra: readonly Built[] = [], drop: readonly number[] = []): Built[] {
  const base: Built[] = [
    str(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.2'),
    str(0x00080018, 'UI', '1.2.826.0.1.3680043.2.1143.777.1'),
    str(0x00080020, 'DA', '20240102'),
    str(0x00080050, 'SH', ACCESSION),
    str(0x00080060, 'CS', 'CT'),
    str(PN, 'PN', NAME),
    str(0x00100020, 'LO', PATIENT_ID),
    str(0x00100030, 'DA', BIRTH),
    str(0x00101040, 'LO', ADDRESS),
    str(0x00102154, 'SH', PHONE),
    str(0x0020000d, 'UI', '1.2.826.0.1.3680043.2.1143.777'),
    str(0x0020000e, 'UI', '1.2.826.0.1.3680043.2.1143.777.2'),
  ];
  const replaced = new Set([...extra.map((e) => e.tag), ...drop]);
  return [...base.filter((e) => !replaced.has(e.tag)), ...extra];
}

/** De-identifies under every option set: quarantined, refused with a DicomError, or no seed in the output. */
function check(input: Uint8Array, optionSets: readonly (readonly ProfileOption[])[] = OPTION_SETS): void {
  for (const options of optionSets) {
    let r: ReturnType<typeof deidentifyDicom>;
    try {
      r = deidentifyDicom(input, { key, factory, options, burnedIn: 'quarantine' });
    } catch (error) {
      expect(error).toBeInstanceOf(DicomError);
      expect((error as Error).message).not.toMatch(/quixote|zebulon/i);
      continue;
    }
    if (!r.ok) continue;
    const output = Buffer.concat(r.chunks);
    expect({ options: options.join(','), leaked: seedsIn(output) }).toEqual({ options: options.join(','), leaked: [] });
    readDicom(output);
  }
}

const text = (t: string): ItemSpec => ({
  elements: [
    str(0x0040a010, 'CS', 'CONTAINS'),
    str(0x0040a040, 'CS', 'TEXT'),
    seq(0x0040a043, [{ elements: [str(0x00080100, 'SH', '121106'), str(0x00080102, 'SH', 'DCM'), str(0x00080104, 'LO', 'Comment')] }]),
    str(0x0040a160, 'UT', t),
  ],
});
const pname = (n: string): ItemSpec => ({
  elements: [str(0x0040a010, 'CS', 'CONTAINS'), str(0x0040a040, 'CS', 'PNAME'), str(0x0040a123, 'PN', n)],
});
const SR_TEXT = `Seen Zebulon Quixote (${PATIENT_ID}) born ${BIRTH}, ${ADDRESS}, tel ${PHONE}, accession ${ACCESSION}`;

describe('identifying attributes inside sequences', () => {
  it('Referenced Patient Sequence holding a patient with an Other Patient IDs Sequence', () => {
    check(
      part10(
        dataset([
          seq(0x00081120, [
            {
              elements: [
                str(PN, 'PN', NAME),
                str(0x00100020, 'LO', PATIENT_ID),
                seq(0x00101002, [{ elements: [str(0x00100020, 'LO', PATIENT_ID)] }]),
              ],
            },
          ]),
        ]),
      ),
    );
  });

  it('Request Attributes Sequence of undefined length, items of undefined length, accession and name in free text', () => {
    check(
      part10(
        dataset([
          seq(
            0x00400275,
            [
              {
                undefinedLength: true,
                elements: [
                  str(0x00080050, 'SH', ACCESSION),
                  str(0x00321060, 'LO', 'CT for Zebulon Quixote'),
                  str(0x00401001, 'SH', ACCESSION),
                  str(0x00400007, 'LO', `Call ${PHONE}`),
                ],
              },
              { undefinedLength: true, elements: [] },
            ],
            { undefinedLength: true },
          ),
        ]),
      ),
    );
  });

  it('SR Content Sequence: TEXT and PNAME items nested four levels, undefined lengths, empty items', () => {
    const level = (depth: number): ItemSpec => ({
      undefinedLength: depth % 2 === 0,
      elements: [
        str(0x0040a010, 'CS', 'CONTAINS'),
        str(0x0040a040, 'CS', 'CONTAINER'),
        seq(
          0x0040a730,
          depth === 0
            ? [text(SR_TEXT), pname(NAME), { elements: [] }]
            : [level(depth - 1), { elements: [seq(0x0040a730, [{ elements: [] }])] }],
          {
            undefinedLength: depth % 2 === 1,
          },
        ),
      ],
    });
    check(
      part10(
        dataset([
          str(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.88.11'),
          str(0x00080060, 'CS', 'SR'),
          seq(0x0040a730, [level(3), text(SR_TEXT)]),
        ]),
      ),
    );
  });

  it('Acquisition Context Sequence (X/Z) with a TEXT and a PNAME content item', () => {
    check(part10(dataset([seq(0x00400555, [text(SR_TEXT), pname(NAME)])])));
  });

  it('Original Attributes Sequence, Encrypted Attributes Sequence with plain content, Icon Image Sequence', () => {
    check(
      part10(
        dataset([
          seq(0x04000561, [{ elements: [seq(0x04000550, [{ elements: [str(PN, 'PN', NAME), str(0x00100020, 'LO', PATIENT_ID)] }])] }]),
          seq(0x04000500, [
            { elements: [str(0x04000510, 'UI', '1.2.840.10008.1.2.1'), str(0x04000520, 'OB', `${NAME} ${PATIENT_ID} ${BIRTH}`)] },
          ]),
          seq(0x00880200, [{ elements: [str(PN, 'PN', NAME), raw(0x7fe00010, 'OB', Buffer.from(`${NAME} `, 'latin1'))] }]),
        ]),
      ),
    );
  });

  it('the same attribute twice, and attributes out of tag order', () => {
    check(
      part10([...dataset(), str(PN, 'PN', 'Zebulon^Quixote'), str(0x00100020, 'LO', PATIENT_ID), str(0x00080050, 'SH', ACCESSION)], {
        keepOrder: true,
      }),
    );
  });

  it('a Text Object Sequence outside any Graphic Annotation Sequence', () => {
    const textObject = seq(0x00700008, [{ elements: [str(0x00700006, 'ST', `${NAME} ${PATIENT_ID}`), str(0x00700009, 'CS', 'PIXEL')] }]);
    check(part10(dataset([textObject, seq(0x00700060, [{ elements: [str(0x00700002, 'CS', 'LAYER'), textObject] }])])));
  });

  it('a Waveform Annotation Sequence (unlisted) holding free-text annotations', () => {
    check(
      part10(
        dataset([
          str(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.9.1.1'),
          str(0x00080060, 'CS', 'ECG'),
          seq(0x0040b020, [
            {
              elements: [str(0x00700006, 'ST', `Pt Zebulon Quixote ${PATIENT_ID} fell`), raw(0x0040a0b0, 'US', Buffer.from([1, 0, 1, 0]))],
            },
          ]),
        ]),
      ),
    );
  });

  it('Text Value (0040,A160) outside any Content Sequence', () => {
    check(part10(dataset([str(0x0040a160, 'UT', SR_TEXT)])));
  });

  it('a Code Meaning typed with no code, in listed, unlisted and nested code sequences', () => {
    const typed = (meaning: string): ItemSpec => ({ elements: [str(0x00080102, 'SH', '99LOCAL'), str(0x00080104, 'LO', meaning)] });
    check(
      part10(
        dataset([
          seq(0x00081032, [typed(`Seen at ${ADDRESS}, tel ${PHONE}`)]), // Procedure Code Sequence: not in Table E.1-1
          seq(0x0040100a, [typed(`Fall, per ${NAME}`)]), // Reason for Requested Procedure Code Sequence: X, C under Clean Descriptors
          seq(0x00400275, [{ elements: [seq(0x00400008, [typed(`${PATIENT_ID} ${PHONE}`)])] }]), // Request Attributes > Scheduled Protocol Code
        ]),
      ),
    );
  });

  it('comments and descriptions a person types that Table E.1-1 leaves out (supplementary rows)', () => {
    check(
      part10(
        dataset([
          str(0x00400400, 'LT', SR_TEXT),
          str(0x00240044, 'LT', SR_TEXT),
          str(0x00741238, 'LT', SR_TEXT),
          str(0x30080202, 'ST', SR_TEXT),
          str(0x30080066, 'ST', SR_TEXT),
          str(0x300a0402, 'ST', SR_TEXT),
          str(0x0022112c, 'LT', SR_TEXT),
          str(0x01000424, 'LT', SR_TEXT),
          str(0x00440106, 'UT', SR_TEXT),
          str(0x00700081, 'LO', `Liver of ${NAME}`),
        ]),
      ),
    );
  });

  it('Content Sequence read as UN (explicit VR, undefined length, Implicit VR items)', () => {
    check(part10(dataset([seq(0x0040a730, [text(SR_TEXT), pname(NAME)], { vr: 'UN', undefinedLength: true })])));
  });

  it('a sequence inside a private sequence inside a standard sequence', () => {
    check(
      part10(
        dataset([
          seq(0x00082112, [
            {
              elements: [
                str(0x00081150, 'UI', '1.2.840.10008.5.1.4.1.1.2'),
                str(0x00081155, 'UI', '1.2.3.4'),
                str(0x00290010, 'LO', 'ACME 1.1'),
                seq(0x00291001, [
                  { elements: [str(PN, 'PN', NAME), seq(0x00081120, [{ elements: [str(0x00100020, 'LO', PATIENT_ID)] }])] },
                ]),
              ],
            },
          ]),
        ]),
      ),
    );
  });
});

describe('wrong VR, odd shapes, other character sets', () => {
  it.each([
    ['UN', raw(PN, 'UN', 'Quixote^Zebulon ')],
    ['LO', str(PN, 'LO', NAME)],
    ['OB', str(PN, 'OB', NAME)],
    ['odd length', raw(PN, 'PN', NAME)],
    ['NUL padding', raw(PN, 'PN', `${NAME}\0`)],
    ['multiple values', str(PN, 'PN', `${NAME}\\Zebulon^Quixote^^Dr`)],
  ])('Patient Name with %s, and a Study Description and Protocol Name naming the patient', (_, name) => {
    check(part10(dataset([name, str(0x00081030, 'LO', 'Follow-up Zebulon Quixote'), str(0x00181030, 'LO', `${NAME} protocol`)])));
  });

  it('Text Value with OB and with UN inside a Content Sequence', () => {
    const item = (vr: string): ItemSpec => ({ elements: [str(0x0040a040, 'CS', 'TEXT'), str(0x0040a160, vr, SR_TEXT)] });
    check(part10(dataset([seq(0x0040a730, [item('OB'), item('UN')])])));
  });

  it('Other Patient Names as LO with several values, Patient ID with several values', () => {
    check(part10(dataset([str(0x00101001, 'LO', `${NAME}\\Zebulon^Q`), str(0x00100020, 'LO', `${PATIENT_ID}\\${PATIENT_ID}X`)])));
  });

  const jis = (description: string): Buffer =>
    part10(
      dataset([
        str(0x00080005, 'CS', '\\ISO 2022 IR 87'),
        str(PN, 'PN', `${NAME}=${JIS_NAME}=\x1b$B$d$^$@\x1b(B^\x1b$B$?$m$&\x1b(B`),
        str(0x00081030, 'LO', description),
      ]),
    );

  it('PN with three component groups in ISO 2022 IR 87, and a description naming the patient in kanji', () => {
    check(jis(`${JIS_NAME.replace('^', ' ')} Zebulon`));
  });

  // The shared known-identifier matcher (safe-harbor/) found a name only between word boundaries,
  // and CJK text puts none between words (山田太郎, 山田さん): now a name of two characters or more
  // stands alone where such a script meets it (fold-text.ts `standsAlone`).
  it('a kanji name run together with the given name in a cleaned description', () => {
    check(jis(`${JIS_NAME.replace('^', '')} Zebulon`), [CLEAN]);
  });

  it('dates in a DT with a range and an offset, and a birth date with NUL padding', () => {
    check(part10(dataset([raw(0x00100030, 'DA', `${BIRTH}\0\0`), str(0x0008002a, 'DT', `${BIRTH}101010+0100`)])));
  });
});

describe('private, retired, group length and repeating groups', () => {
  it('unknown creator, no creator, a safe creator holding text, a creator reused at another block, group lengths', () => {
    check(
      part10(
        dataset([
          raw(0x00100000, 'UL', Buffer.from([0, 0, 0, 0])),
          str(0x00190010, 'LO', 'GEMS_ACQU_01'),
          str(0x00190011, 'LO', 'GEMS_ACQU_01'),
          str(0x00191023, 'LO', NAME),
          str(0x0019119e, 'LO', 'AXIAL'),
          str(0x00191127, 'LO', PATIENT_ID),
          str(0x00191124, 'UN', PATIENT_ID),
          str(0x00290010, 'LO', 'ACME 1.1'),
          str(0x00291010, 'LO', NAME),
          str(0x00311010, 'LO', NAME),
          str(0x00090000, 'UL', 'Zebu'),
        ]),
      ),
    );
  });

  it('Retain Safe Private keeps a listed element only in the shape Table E.3.10-1 lists (VR, or UN whose bytes fit it)', () => {
    const input = part10(
      dataset([
        str(0x00190010, 'LO', 'GEMS_ACQU_01'),
        str(0x00191023, 'DS', '12.5'), // listed DS, as listed: kept
        str(0x00191024, 'UN', '0.75'), // listed DS, Implicit-style UN holding a number: kept
        str(0x00191027, 'LO', NAME), // listed DS, declared LO: removed
        str(0x0019109e, 'UN', 'AXIAL'), // listed LO, UN: text cannot be checked beyond its VR: kept
        raw(0x00450010, 'LO', 'GEMS_HELIOS_01'),
        str(0x00451002, 'UN', PATIENT_ID), // listed FL, 10 bytes: not whole FL values: removed
      ]),
    );
    const r = deidentifyDicom(input, { key, factory, options: ['retainSafePrivate'] });
    if (!r.ok) throw new Error('unexpected quarantine');
    const kept = readDicom(Buffer.concat(r.chunks))
      .dataset.filter((e) => e.tag >>> 16 === 0x0019 || e.tag >>> 16 === 0x0045)
      .map((e) => e.tag.toString(16));
    expect(kept).toEqual(['190010', '191023', '191024', '19109e']);
  });

  it('retired attributes and (0000,eeee) command elements in a data set', () => {
    check(
      part10(
        dataset([
          str(0x00000902, 'LO', `Failed for ${NAME}`),
          str(0x00001030, 'AE', 'QUIXOTE'),
          str(0x00101050, 'LO', `Plan ${PATIENT_ID}`),
          str(0x00101080, 'LO', 'Zebulon rank'),
          str(0x00104000, 'LT', `Comment on ${NAME}`),
        ]),
      ),
    );
  });

  it('overlay (60xx) and curve (50xx) groups holding text', () => {
    check(
      part10(
        dataset([
          raw(0x60000010, 'US', Buffer.from([2, 0])),
          raw(0x60000011, 'US', Buffer.from([2, 0])),
          str(0x60000022, 'LO', `Overlay of ${NAME}`),
          str(0x60000040, 'CS', 'G'),
          raw(0x60000100, 'US', Buffer.from([1, 0])),
          str(0x60001500, 'LO', 'Zebulon Quixote'),
          raw(0x60003000, 'OW', Buffer.from([0xff, 0x00])),
          str(0x60004000, 'LT', `${NAME} marker`),
          str(0x50002500, 'LO', NAME),
          str(0x50000022, 'LO', NAME),
        ]),
      ),
    );
  });
});

describe('file meta, transfer syntaxes, documents', () => {
  it('names and addresses in the file meta information', () => {
    check(
      part10(dataset(), {
        extraMeta: [
          str(0x00020013, 'SH', 'ZEBULON'),
          str(0x00020016, 'AE', 'QUIXOTE'),
          str(0x00020017, 'AE', 'ZEBULON'),
          str(0x00020026, 'UR', 'http://quixote.example/zebulon'),
          str(0x00020100, 'UI', '1.2.3'),
          str(0x00020102, 'OB', `private ${NAME}`),
        ],
      }),
    );
  });

  it('the output meta holds only version, SOP class and instance, transfer syntax and PHIGuard as implementation (PS3.10 §7.1)', () => {
    const input = part10(dataset(), { extraMeta: [str(0x00020016, 'AE', 'QUIXOTE'), str(0x00020026, 'UR', 'http://quixote.example/')] });
    const r = deidentifyDicom(input, { key, factory });
    if (!r.ok) throw new Error('unexpected quarantine');
    const meta = readDicom(Buffer.concat(r.chunks)).meta;
    expect(meta.map((e) => e.tag.toString(16))).toEqual(['20000', '20001', '20002', '20003', '20010', '20012', '20013']);
    expect(Buffer.from(meta.at(-1)!.value!).toString('latin1').trim()).toBe('PHIGUARD');
  });

  it('group 0002 elements inside a bare data set', () => {
    check(bare([...dataset(), str(0x00020016, 'AE', 'QUIXOTE')], EXPLICIT_LE, true));
  });

  const sr = (): Built[] =>
    dataset([
      seq(0x0040a730, [text(SR_TEXT), pname(NAME)], { undefinedLength: true }),
      seq(0x00101002, [{ elements: [str(0x00100020, 'LO', PATIENT_ID)] }]),
    ]);

  it.each([
    ['Explicit VR Big Endian', () => part10(sr(), { transferSyntax: TS.explicitBe })],
    ['Deflated Explicit VR Little Endian', () => part10(sr(), { transferSyntax: TS.deflated })],
    ['Implicit VR Little Endian', () => part10(sr(), { transferSyntax: TS.implicitLe })],
    ['a bare Implicit VR data set', () => bare(sr(), IMPLICIT_LE)],
    ['a bare Explicit VR Big Endian data set', () => bare(sr(), EXPLICIT_BE)],
  ])('%s', (_, make) => {
    check(make());
  });

  it.each([
    ['implicit data under a meta that says explicit', TS.explicitLe, IMPLICIT_LE],
    ['explicit data under a meta that says implicit', TS.implicitLe, EXPLICIT_LE],
  ] as const)('%s: a DicomError, nothing written', (_, metaSyntax, enc) => {
    expect(() => deidentifyDicom(lying(metaSyntax, enc), { key, factory })).toThrow(DicomError);
  });

  function lying(metaSyntax: string, enc: Enc): Buffer {
    const good = part10([], { metaSyntax });
    return Buffer.concat([good, bare(sr(), enc)]);
  }

  it('an Encapsulated PDF and an Encapsulated CDA naming the patient', () => {
    for (const [sop, mime, doc] of [
      ['1.2.840.10008.5.1.4.1.1.104.1', 'application/pdf', `%PDF-1.4 (${NAME}) ${PATIENT_ID}`],
      [
        '1.2.840.10008.5.1.4.1.1.104.2',
        'text/XML',
        `<ClinicalDocument><name>Zebulon Quixote</name><id extension="${PATIENT_ID}"/></ClinicalDocument>`,
      ],
    ] as const) {
      check(
        part10(
          dataset([
            str(0x00080016, 'UI', sop),
            str(0x00080060, 'CS', 'DOC'),
            str(0x00420010, 'ST', `Report for ${NAME}`),
            str(0x00420011, 'OB', doc),
            str(0x00420012, 'LO', mime),
          ]),
          { sopClass: sop },
        ),
      );
    }
  });

  it.each(['YES', 'yes', 'YES\\NO', 'NO\\YES', 'Y', 'TRUE'])(
    'Burned In Annotation %s (anything but NO) is quarantined, not written',
    (mark) => {
      const input = part10(dataset([str(0x00280301, 'CS', mark), raw(0x7fe00010, 'OW', Buffer.from('Quixote Zebulon ', 'latin1'))]));
      expect(deidentifyDicom(input, { key, factory })).toMatchObject({ ok: false, reason: 'burned-in-annotation', detail: 'marked-yes' });
    },
  );

  it('Burned In Annotation NO (with NUL padding) on a CT is written', () => {
    const input = part10(dataset([raw(0x00280301, 'CS', 'NO\0\0'), raw(0x7fe00010, 'OW', Buffer.alloc(16))]));
    expect(deidentifyDicom(input, { key, factory }).ok).toBe(true);
  });

  it('a DICOMDIR whose PATIENT and STUDY records name the patient', () => {
    const record = (type: string, elements: Built[]): ItemSpec => ({
      elements: [
        raw(0x00041400, 'UL', Buffer.alloc(4)),
        raw(0x00041410, 'US', Buffer.from([0xff, 0xff])),
        raw(0x00041420, 'UL', Buffer.alloc(4)),
        str(0x00041430, 'CS', type),
        ...elements,
      ],
    });
    check(
      part10(
        [
          str(0x00041130, 'CS', ''),
          raw(0x00041200, 'UL', Buffer.alloc(4)),
          raw(0x00041202, 'UL', Buffer.alloc(4)),
          raw(0x00041212, 'US', Buffer.alloc(2)),
          seq(0x00041220, [
            record('PATIENT', [str(PN, 'PN', NAME), str(0x00100020, 'LO', PATIENT_ID), str(0x00100030, 'DA', BIRTH)]),
            record('STUDY', [str(0x00080020, 'DA', BIRTH), str(0x00080050, 'SH', ACCESSION), str(0x00081030, 'LO', `Study of ${NAME}`)]),
            record('PRIVATE', [str(0x00290010, 'LO', 'ACME'), str(0x00291010, 'LO', NAME)]),
          ]),
        ],
        { sopClass: '1.2.840.10008.1.3.10' },
      ),
    );
  });
});

describe('property: seeded identifiers at random depths, VRs and lengths never survive', () => {
  /** Attributes the profile (with or without the Clean options) removes, replaces or cleans, and their usual VR. */
  const LEAVES: readonly (readonly [number, string, string])[] = [
    [PN, 'PN', NAME],
    [0x00101001, 'PN', `${NAME}\\Zebulon`],
    [0x00080090, 'PN', NAME],
    [0x0040a123, 'PN', NAME],
    [0x0040a160, 'UT', SR_TEXT],
    [0x00100020, 'LO', PATIENT_ID],
    [0x00101000, 'LO', PATIENT_ID],
    [0x00080050, 'SH', ACCESSION],
    [0x00100030, 'DA', BIRTH],
    [0x00101040, 'LO', ADDRESS],
    [0x00102154, 'SH', PHONE],
    [0x00081030, 'LO', 'Zebulon Quixote follow-up'],
    [0x00104000, 'LT', SR_TEXT],
    [0x00420010, 'ST', NAME],
    [0x60000022, 'LO', NAME],
    [0x00000902, 'LO', NAME],
    [0x00700006, 'ST', NAME],
    [0x00020016, 'AE', 'QUIXOTE'],
    // A Code Meaning with no Code Value beside it (the generated items hold none): typed text.
    [0x00080104, 'LO', `Fall, per ${NAME}`],
    [0x00400400, 'LT', SR_TEXT],
    [0x00700081, 'LO', NAME],
  ];
  /** Sequences of every treatment: D, X, X/Z, X/Z/U*, X with Clean Descriptors C, unlisted, private, encrypted, text objects. */
  const SEQUENCES: readonly number[] = [
    0x0040a730, 0x00081120, 0x00400555, 0x00082112, 0x00400275, 0x0018a001, 0x00101002, 0x00291001, 0x04000500, 0x00700008,
  ];

  const leaf = fc
    .record({
      which: fc.nat({ max: LEAVES.length - 1 }),
      vr: fc.constantFrom('own', 'UN', 'LO', 'OB', 'UT'),
      pad: fc.constantFrom('', ' ', '\0', '\0\0'),
    })
    .map(({ which, vr, pad }): Built => {
      const [t, own, value] = LEAVES[which]!;
      return raw(t, vr === 'own' ? own : vr, value + pad);
    });

  const tree = fc.letrec<{ node: Built; items: ItemSpec[] }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc
        .record({
          t: fc.constantFrom(...SEQUENCES),
          vr: fc.constantFrom('SQ' as const, 'UN' as const),
          undefinedLength: fc.boolean(),
          items: tie('items'),
        })
        .map(({ t, vr, undefinedLength, items }) =>
          // A UN sequence of defined length is only read as items in Implicit VR; undefined length always is.
          seq(t, items, { vr, undefinedLength: vr === 'UN' ? true : undefinedLength }),
        ),
    ),
    items: fc.array(
      fc.record({ elements: fc.uniqueArray(tie('node'), { maxLength: 4, selector: (b) => b.tag }), undefinedLength: fc.boolean() }),
      { maxLength: 3 },
    ),
  })).node;

  it('no seed in the output, under the Basic Profile and with the Clean options', () => {
    fc.assert(
      fc.property(fc.uniqueArray(tree, { minLength: 1, maxLength: 5, selector: (b) => b.tag }), (extra) => {
        const withCreator = extra.some((e) => e.tag === 0x00291001) ? [...extra, str(0x00290010, 'LO', 'ACME 1.1')] : extra;
        check(part10(dataset(withCreator)), [[], CLEAN]);
      }),
      { numRuns: 300 },
    );
  });
});
