import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deidKeyFromSecret } from '../context/deid-key.ts';
import { createOutputNamer } from './output-namer.ts';

const key = deidKeyFromSecret(new Uint8Array(32).fill(7));
const otherKey = deidKeyFromSecret(new Uint8Array(32).fill(8));
const corpus = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../shared/corpus');
const TOKEN = /^[0-9A-HJKMNP-TV-Z]{16}$/; // upper-case Crockford base32, 80 bits
const FILE_ID_TOKEN = /^[0-9A-HJKMNP-TV-Z]{8}$/; // fits a DICOM File ID component (PS3.10 §8.2)

describe('createOutputNamer', () => {
  const namer = createOutputNamer(key);

  it('replaces names that are not known to be generic, keeping the file type', () => {
    // Synthea names each bundle after its patient, with the Patient id; a PACS export names folders after the patient.
    const out = namer.path('SMITH^JOHN_MRN4455667/1.2.840.99999.1/Assunta351_Dickens475_3d195286-ce77-f5b3-b64f-3eacfb9c273e.json');
    const [patient, study, file] = out.split('/');
    expect(patient).toMatch(TOKEN);
    expect(study).toMatch(TOKEN);
    expect(file).toMatch(/^[0-9A-HJKMNP-TV-Z]{16}\.json$/);
    expect(out).not.toMatch(/SMITH|4455667|99999|Assunta|Dickens|3d195286/i);
  });

  it('keeps FHIR Bulk Data file names and DICOMDIR', () => {
    for (const name of ['Patient.ndjson', 'Observation.000.ndjson', 'ExplanationOfBenefit-12.ndjson', '3.Condition.ndjson', 'DICOMDIR', 'Bundle.json']) {
      expect(namer.component(name)).toBe(name);
    }
    // Only real resource types, only with a data extension.
    expect(namer.component('Patients.ndjson')).toMatch(/^[0-9A-Z]{16}\.ndjson$/);
    expect(namer.component('Whitfield.ndjson')).toMatch(/^[0-9A-Z]{16}\.ndjson$/);
    expect(namer.component('Patient.Whitfield')).toMatch(TOKEN);
  });

  it('names every file of the shared FHIR corpus without the patient names Synthea put in them', () => {
    const names = readdirSync(path.join(corpus, 'fhir-synthea-hiv-bundles')).filter((n) => n.endsWith('.json'));
    expect(names.length).toBeGreaterThan(3);
    for (const name of names) {
      const out = namer.component(name);
      for (const part of name.replace(/\.json$/, '').split(/[_-]/)) if (part.length >= 4) expect(out).not.toContain(part);
    }
    for (const name of readdirSync(path.join(corpus, 'fhir-bulk-ndjson-10patients')).filter((n) => n.endsWith('.ndjson'))) expect(namer.component(name)).toBe(name);
  });

  it('maps short upper-case names (DICOM File IDs) to 8 characters of the same syntax, whatever their case', () => {
    expect(namer.component('IM000001')).toMatch(FILE_ID_TOKEN);
    expect(namer.component('im000001')).toBe(namer.component('IM000001'));
    expect(namer.path('DICOM/PA000000/ST000000/SE000000/IM000001')).toMatch(/^([0-9A-Z]{8}\/){4}[0-9A-Z]{8}$/);
  });

  it('is deterministic for a key, different under another key, and keeps the tree shape', () => {
    const again = createOutputNamer(key);
    const other = createOutputNamer(otherKey);
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[A-Za-z0-9^ ._-]{1,24}$/).filter((s) => s !== '.' && s !== '..'), { minLength: 1, maxLength: 5 }), (parts) => {
        const relative = parts.join('/');
        const out = namer.path(relative);
        expect(again.path(relative)).toBe(out);
        expect(out.split('/')).toHaveLength(parts.length);
        // A component maps alike wherever it appears: files of one folder stay together.
        expect(out.split('/')).toEqual(parts.map((p) => namer.component(p)));
        for (const [i, part] of parts.entries()) {
          const mapped = out.split('/')[i];
          if (mapped === part) expect(part.toUpperCase() === 'DICOMDIR' || /\.(ndjson|json|xml|csv|txt)$/.test(part)).toBe(true);
          else expect(other.component(part)).not.toBe(mapped);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('gives distinct names distinct outputs (no two inputs of a folder meet)', () => {
    const names = Array.from({ length: 20_000 }, (_, i) => `patient-${String(i)}.hl7`);
    expect(new Set(names.map((n) => namer.component(n))).size).toBe(names.length);
  });

  it('keeps every name with `keep`', () => {
    const keep = createOutputNamer(key, 'keep');
    expect(keep.path('SMITH^JOHN/a b.dcm')).toBe('SMITH^JOHN/a b.dcm');
  });
});
