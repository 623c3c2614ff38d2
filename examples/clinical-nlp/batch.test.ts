// Runs examples/clinical-nlp/batch.py on Synthea notes (../shared/corpus) de-identified by the
// @phiguard/deid text engine, as the agent would (PHIGUARD_INPUT_DIR / PHIGUARD_OUTPUT_DIR).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClinicalTextDeidentifier, createPatientContextFactory, deidKeyFromSecret, notesFromBundle, type KnownIdentifiers } from '@phiguard/deid';
import { parseRunSpec } from '@phiguard/compute';
import { ManualClock, newId } from '@phiguard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const bundles = path.resolve(here, '../../../shared/corpus/fhir-synthea-hiv-bundles');
const script = path.join(here, 'batch.py');
const BUNDLES = ['Francisco472_Guardado953_14827fac-364b-9149-bb4f-840c3d51f23f.json', 'Bob965_Keeling57_3f6fd0bb-6cd3-eb3f-4401-cd38ace25f2b.json'];

interface NoteResult {
  file: string;
  sections: string[];
  ageYears: number | null;
  smoking: string;
  alcohol: string;
  immunizations: string[];
  conditions: string[];
  allergies: string[];
  medications: string[];
  deidTags: Record<string, number>;
}

let work = '';
const originals = new Map<string, string>();
const seeds = new Set<string>();

/** The smoking sentence of the original note, read independently of batch.py's rules. */
function expectedSmoking(raw: string): string {
  if (raw.includes('has never smoked')) return 'never';
  if (raw.includes('quite smoking')) return 'former';
  if (raw.includes('is an active smoker')) return 'current';
  return 'unknown';
}

function seedsOf(known: KnownIdentifiers): string[] {
  const names = (known.names ?? []).flatMap((n) => n.split(' '));
  return [...names, ...(known.identifiers ?? []), ...(known.phones ?? []), ...(known.addresses ?? [])].filter((s) => s.length >= 5);
}

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'phiguard-notes-'));
  mkdirSync(path.join(work, 'in'), { recursive: true });
  const engine = createClinicalTextDeidentifier();
  const factory = createPatientContextFactory(deidKeyFromSecret(new Uint8Array(32).fill(4)));
  let n = 0;
  for (const bundle of BUNDLES) {
    const patient = factory.forPatient({ system: 'urn:synthea', value: bundle.slice(-41, -5) });
    for (const note of notesFromBundle(JSON.parse(readFileSync(path.join(bundles, bundle), 'utf8')) as never)) {
      const file = `note-${String(++n).padStart(3, '0')}.txt`;
      writeFileSync(path.join(work, 'in', file), engine.deidentify({ text: note.text, patient, known: note.known }).text);
      originals.set(file, note.text);
      for (const s of seedsOf(note.known)) seeds.add(s);
    }
  }
  writeFileSync(path.join(work, 'in', 'manifest.json'), '{}');
}, 120_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('clinical NLP example (batch over de-identified notes)', () => {
  it('the inputs are de-identified: no name, identifier, phone or address of the patients is left', () => {
    expect(seeds.size).toBeGreaterThan(5);
    for (const file of readdirSync(path.join(work, 'in'))) {
      const text = readFileSync(path.join(work, 'in', file), 'utf8');
      for (const seed of seeds) expect(text).not.toContain(seed);
    }
  });

  it('extracts sections, age, smoking, alcohol and immunizations for every note; outputs hold no identifier', () => {
    const out = path.join(work, 'out');
    const r = spawnSync('/usr/bin/python3', [script], {
      encoding: 'utf8',
      env: { PATH: '/usr/bin:/bin', PHIGUARD_INPUT_DIR: path.join(work, 'in'), PHIGUARD_OUTPUT_DIR: out, PHIGUARD_JOB_ID: 'job_01jz0000000000000000000001' },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^processed ${String(originals.size)} notes \\(1 other files\\)`));
    const results = readFileSync(path.join(out, 'notes.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as NoteResult);
    expect(results.map((x) => x.file)).toEqual([...originals.keys()]);
    for (const result of results) {
      const raw = originals.get(result.file) ?? '';
      expect(result.sections).toEqual(expect.arrayContaining(['chief-complaint', 'history-of-present-illness', 'social-history', 'allergies', 'medications', 'assessment-and-plan', 'plan']));
      expect(result.smoking).toBe(expectedSmoking(raw));
      expect(result.alcohol).toBe(raw.includes('is an alcoholic') ? 'alcohol-use-disorder' : 'unknown');
      const age = /is a (\d+) year-old/.exec(raw);
      if (age !== null) expect(result.ageYears).toBe(Number(age[1]));
      expect(result.allergies).toEqual([]);
      expect(result.medications).toEqual([]);
      // The de-identification tags that replaced the visit date and the name are counted.
      expect(result.deidTags.date ?? 0).toBeGreaterThan(0);
      const given = /given the following immunizations: (.+)\. *$/m.exec(raw)?.[1];
      if (given === 'influenza, seasonal, injectable, preservative free') expect(result.immunizations).toEqual([given]);
      if (given === 'hib (prp-omp), ipv') expect(result.immunizations).toEqual(['hib (prp-omp)', 'ipv']);
      if (given === undefined) expect(result.immunizations).toEqual([]);
      else expect(result.immunizations.join(', ')).toBe(given);
    }
    expect(new Set(results.map((x) => x.smoking))).toEqual(new Set(['never', 'former', 'current']));
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')) as { notes: number; smoking: Record<string, number> };
    expect(summary.notes).toBe(originals.size);
    expect(Object.values(summary.smoking).reduce((a, b) => a + b, 0)).toBe(originals.size);
    const everything = readFileSync(path.join(out, 'notes.jsonl'), 'utf8') + readFileSync(path.join(out, 'summary.json'), 'utf8') + r.stdout;
    for (const seed of seeds) expect(everything).not.toContain(seed);
  });
});

describe('job.json', () => {
  it('is a valid run spec once the dataset ids are filled in, and runs this script', () => {
    const clock = new ManualClock(0);
    const text = readFileSync(path.join(here, 'job.json'), 'utf8')
      .replace('ds_REPLACE_WITH_INPUT_DATASET_ID', newId('ds', clock))
      .replace('ds_REPLACE_WITH_OUTPUT_DATASET_ID', newId('ds', clock));
    const spec = parseRunSpec(JSON.parse(text));
    expect(spec.classification).toBe('deidentified');
    expect(spec.command[0]).toBe('/usr/bin/python3');
    expect(spec.command[1]).toMatch(/\/examples\/[a-z-]+\/batch\.py$/);
  });
});
