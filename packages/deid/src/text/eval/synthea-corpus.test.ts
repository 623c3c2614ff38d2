import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { engines, testPatient } from '../test-engine.ts';
import { notesFromBundle, notesFromNdjson, type SilverNote } from './synthea-notes.ts';

const corpus = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../../shared/corpus');

function allNotes(): SilverNote[] {
  const bulk = path.join(corpus, 'fhir-bulk-ndjson-10patients');
  const notes = notesFromNdjson(readFileSync(path.join(bulk, 'Patient.000.ndjson'), 'utf8'), readFileSync(path.join(bulk, 'DocumentReference.000.ndjson'), 'utf8'));
  const bundles = path.join(corpus, 'fhir-synthea-hiv-bundles');
  for (const f of readdirSync(bundles)) notes.push(...notesFromBundle(JSON.parse(readFileSync(path.join(bundles, f), 'utf8')), f));
  return notes;
}

// The invariant of the issue: no identifier of the patient's structured record survives in any
// Synthea note of the corpus, with and without the known identifiers handed to the engine.
describe('Synthea notes of the corpus', () => {
  const notes = allNotes();

  it('has notes with silver identifiers', () => {
    expect(notes.length).toBeGreaterThan(500);
    expect(notes.filter((n) => n.spans.length > 0).length).toBeGreaterThan(500);
  });

  it.each([
    ['with known identifiers', true],
    ['from the text alone', false],
  ])('no silver identifier survives (%s)', (_label, useKnown) => {
    const patient = testPatient();
    const leaks: string[] = [];
    for (const note of notes) {
      const out = engines().tags.deidentify({ text: note.text, patient, ...(useKnown ? { known: note.known } : {}) }).text;
      for (const s of note.spans) {
        const secret = note.text.slice(s.start, s.end);
        if (new RegExp(`(?<![\\p{L}\\d])${secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}\\d])`, 'u').test(out)) leaks.push(`${note.id}:${s.category}`);
      }
    }
    expect(leaks).toEqual([]);
  });
});
