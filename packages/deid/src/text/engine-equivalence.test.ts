import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPatientContextFactory } from '../context/create-patient-context-factory.ts';
import { deidKeyFromSecret } from '../context/deid-key.ts';
import type { PatientContext } from '../context/patient-context.ts';
import { createDicomDeidentifier } from '../dicom/deidentify-dicom.ts';
import { corpusDicomFiles } from '../dicom/test-support/corpus.ts';
import type { createClinicalTextDeidentifier as CreateEngine, ClinicalTextDeidentifier } from './clinical-text-deidentifier.ts';
import { createClinicalTextDeidentifier } from './clinical-text-deidentifier.ts';
import type { loadDictionaries as LoadDictionaries } from './dictionaries.ts';
import { readBrat } from './eval/read-brat.ts';
import { readPresidio } from './eval/read-presidio.ts';
import { notesFromBundle, notesFromNdjson } from './eval/synthea-notes.ts';
import { engines, testPatient } from './test-engine.ts';
import { baselineAvailable, extractBaseline, type Baseline } from './test-support/baseline.ts';
import type { KnownIdentifiers, TextDeidRequest } from './text-deidentifier.ts';

// Speed work (issue #5) must not change a single output: the engine of today against the
// engine of the baseline commit (extracted from git history), on every text of the corpus, every
// DICOM value the de-identifier hands to the text port, and arbitrary texts and known identifiers.

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const here = path.dirname(fileURLToPath(import.meta.url));
const corpus = path.resolve(here, '../../../../../shared/corpus');

interface Pair {
  readonly tags: [ClinicalTextDeidentifier, ClinicalTextDeidentifier];
  readonly surrogates: [ClinicalTextDeidentifier, ClinicalTextDeidentifier];
}

function corpusTexts(): { text: string; known?: KnownIdentifiers }[] {
  const out: { text: string; known?: KnownIdentifiers }[] = [];
  const bulk = path.join(corpus, 'fhir-bulk-ndjson-10patients');
  out.push(
    ...notesFromNdjson(
      readFileSync(path.join(bulk, 'Patient.000.ndjson'), 'utf8'),
      readFileSync(path.join(bulk, 'DocumentReference.000.ndjson'), 'utf8'),
    ),
  );
  const bundles = path.join(corpus, 'fhir-synthea-hiv-bundles');
  for (const f of readdirSync(bundles).sort()) out.push(...notesFromBundle(JSON.parse(readFileSync(path.join(bundles, f), 'utf8')), f));
  const presidio = readPresidio('presidio', readFileSync(path.join(corpus, 'text-presidio-synthetic-pii/synth_dataset_v2.json'), 'utf8'));
  if (presidio.ok) out.push(...presidio.documents);
  const meddocan = path.join(corpus, 'notes-meddocan-es');
  for (const f of readdirSync(meddocan)
    .filter((n) => n.endsWith('.txt'))
    .sort())
    out.push({ text: readFileSync(path.join(meddocan, f), 'utf8') });
  const fixtures = path.join(here, 'eval/fixtures');
  for (const f of readdirSync(fixtures)
    .filter((n) => n.endsWith('.txt'))
    .sort()) {
    const r = readBrat(
      f,
      readFileSync(path.join(fixtures, f), 'utf8'),
      readFileSync(path.join(fixtures, f.replace(/\.txt$/, '.ann')), 'utf8'),
    );
    if (r.ok) out.push(...r.documents);
  }
  return out;
}

/** Every request the DICOM de-identifier makes of the text port on the corpus (Clean Descriptors, Structured Content, Graphics). */
function dicomRequests(): TextDeidRequest[] {
  const requests: TextDeidRequest[] = [];
  const engine = engines().tags;
  const key = deidKeyFromSecret(new Uint8Array(32).fill(7));
  const factory = createPatientContextFactory(key);
  // A de-identifier per file: each one memoizes the descriptors it cleaned (a series repeats them),
  // so one for the whole corpus would hand each repeated value to the port only once.
  const deidentifier = () =>
    createDicomDeidentifier({
      key,
      factory,
      options: ['retainLongitudinalModifiedDates', 'cleanDescriptors', 'cleanStructuredContent', 'cleanGraphics'],
      burnedIn: 'accept',
      text: {
        deidentify(request) {
          requests.push(request);
          return engine.deidentify(request);
        },
      },
    });
  for (const { name, file } of corpusDicomFiles()) {
    try {
      deidentifier()(readFileSync(file), name);
    } catch {
      // malformed corpus files are the reader's tests' business
    }
  }
  return requests;
}

const word = fc.constantFrom(
  'John',
  'Smith',
  'Parkinson',
  'Boston',
  'MA',
  'Will',
  'Rose',
  'Maria',
  'HERNANDEZ',
  'van',
  'de',
  'Dr.',
  'MRN',
  'CT',
  'CHEST',
  'W/O',
  'CONTRAST',
  'Hospital',
  'lives',
  'in',
);
const piece = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  word,
  fc.constantFrom(' ', '  ', '\n', '\r\n', '. ', ', ', ': ', '^', '\\', '/', '-', '(', ')', '@', '://', '::', '#', 'www.', '.com'),
  fc.integer({ min: 0, max: 99_999_999 }).map(String),
  fc.constantFrom(
    '617-555-0100',
    '(617) 555 0100',
    '02114',
    'Springfield, MA 02114',
    '1970-03-04',
    '3/4/70',
    'March 4th, 1970',
    '123-45-6789',
    'Apt 4B',
    '12 Main Street',
    'a@b.org',
  ),
);
const text = fc.array(piece, { maxLength: 40 }).map((p) => p.join(''));
const known: fc.Arbitrary<KnownIdentifiers> = fc.record(
  {
    names: fc.array(fc.oneof(word, fc.string({ maxLength: 12 }), fc.constantFrom('Smith^John', 'John Smith', 'Maria Garcia-Lopez')), {
      maxLength: 4,
    }),
    dates: fc.array(fc.oneof(fc.constantFrom('1970-03-04', '2001-12-31'), fc.string({ maxLength: 10 })), { maxLength: 2 }),
    identifiers: fc.array(fc.oneof(fc.integer({ min: 0, max: 9_999_999 }).map(String), fc.string({ maxLength: 10 })), { maxLength: 3 }),
    phones: fc.array(fc.constantFrom('617-555-0100', '+1 617 555 0100', '555'), { maxLength: 2 }),
    emails: fc.array(fc.constantFrom('a@b.org', 'john.smith@example.com'), { maxLength: 1 }),
    addresses: fc.array(fc.constantFrom('12 Main Street, Boston, MA 02114', 'Via Roma 5'), { maxLength: 1 }),
  },
  { requiredKeys: [] },
);

function deepFreeze(k: KnownIdentifiers): KnownIdentifiers {
  for (const v of Object.values(k) as unknown[]) if (Array.isArray(v)) Object.freeze(v);
  return Object.freeze(k);
}

describe.skipIf(!baselineAvailable())('text engine: same output as the baseline engine', () => {
  let baseline: Baseline;
  let pair: Pair;

  beforeAll(async () => {
    baseline = extractBaseline();
    const old = await baseline.load<{ createClinicalTextDeidentifier: typeof CreateEngine }>('text/clinical-text-deidentifier.ts');
    const oldDictionaries = (await baseline.load<{ loadDictionaries: typeof LoadDictionaries }>('text/dictionaries.ts')).loadDictionaries();
    const { dictionaries } = engines();
    pair = {
      tags: [old.createClinicalTextDeidentifier({ dictionaries: oldDictionaries }), createClinicalTextDeidentifier({ dictionaries })],
      surrogates: [
        old.createClinicalTextDeidentifier({ dictionaries: oldDictionaries, mode: 'surrogates' }),
        createClinicalTextDeidentifier({ dictionaries, mode: 'surrogates' }),
      ],
    };
  });
  afterAll(() => {
    baseline.dispose();
  });

  function expectSame(request: TextDeidRequest): void {
    for (const [old, now] of [pair.tags, pair.surrogates]) expect(now.deidentify(request)).toEqual(old.deidentify(request));
  }

  it('on every note of the corpus (Synthea with and without known identifiers, Presidio, MEDDOCAN, eval fixtures)', () => {
    const texts = corpusTexts();
    expect(texts.length).toBeGreaterThan(1500);
    const patient = testPatient('P-corpus');
    for (const t of texts) {
      expectSame({ text: t.text, patient });
      if (t.known !== undefined) expectSame({ text: t.text, patient, known: t.known });
    }
  });

  it('on every value the DICOM de-identifier hands to the text port on the corpus', () => {
    const requests = dicomRequests();
    expect(requests.length).toBeGreaterThan(80);
    for (const r of requests) expectSame(r);
  });

  it(
    'on arbitrary texts, with arbitrary known identifiers, frozen or not (property)',
    () => {
      const patient: PatientContext = testPatient('P-fuzz');
      fc.assert(
        fc.property(text, fc.option(known, { nil: undefined }), fc.boolean(), (t, k, freeze) => {
          const request = { text: t, patient, ...(k === undefined ? {} : { known: freeze ? deepFreeze(k) : k }) };
          expectSame(request);
          expect(pair.tags[1].detect(t, request.known)).toEqual(pair.tags[0].detect(t, request.known));
        }),
        { numRuns: RUNS },
      );
    },
    Math.max(60_000, RUNS * 20),
  );
});

describe('known identifiers cached by identity', () => {
  it('a frozen object gives what an equal unfrozen one gives, and an unfrozen one is read again after a change', () => {
    const engine = createClinicalTextDeidentifier({ dictionaries: engines().dictionaries });
    const note = 'Zxqorbee Vlatko was seen; call Quenby.';
    const frozen = deepFreeze({ names: ['Zxqorbee Vlatko'] });
    expect(engine.detect(note, frozen)).toEqual(engine.detect(note, { names: ['Zxqorbee Vlatko'] }));
    // Short numbers no pattern takes: only the known identifiers find them.
    const codes = 'codes 4471 and 5582';
    const mutable = { identifiers: ['4471'] };
    expect(engine.detect(codes, mutable).map((s) => codes.slice(s.start, s.end))).toEqual(['4471']);
    mutable.identifiers.push('5582');
    expect(engine.detect(codes, mutable).map((s) => codes.slice(s.start, s.end))).toEqual(['4471', '5582']);
  });
});
