import { describe, expect, it } from 'vitest';
import { SAFE_HARBOR_CATEGORIES } from '../safe-harbor/categories.ts';
import { DeidError } from '../context/deid-error.ts';
import { builtinProfile, parseProfile } from './load-profile.ts';

function errorOf(f: () => unknown): DeidError {
  try {
    f();
  } catch (e) {
    if (e instanceof DeidError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('profiles', () => {
  it('has three built-in profiles covering all 18 categories, each with its own hash', () => {
    const hashes = new Set<string>();
    for (const id of ['safe-harbor', 'date-shift', 'limited-data-set']) {
      const loaded = builtinProfile(id);
      for (const c of SAFE_HARBOR_CATEGORIES) expect(loaded.profile.kinds[c], `${id} ${c}`).toBeDefined();
      expect(loaded.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(Object.isFrozen(loaded.profile.kinds)).toBe(true);
      hashes.add(loaded.hash);
    }
    expect(hashes.size).toBe(3);
    expect(builtinProfile('safe-harbor').profile.kinds.date).toEqual({ kind: 'generalize', to: 'year' });
    expect(builtinProfile('date-shift').profile.basis).toBe('expert-determination');
    expect(builtinProfile('limited-data-set').profile.kinds['geographic.zip']).toEqual({ kind: 'keep' });
  });

  it('loads a custom YAML profile that extends a built-in, and JSON the same way', () => {
    const yaml = `
id: research-x
version: "2"
extends: safe-harbor
kinds:
  date: { kind: dateShift }
  device: { kind: cryptoHash, length: 16 }
rules:
  - id: keep-obs-method
    target: { hl7: OBX-17 }
    method: { kind: keep }
  - target: { fhirPath: "Patient.extension", dicomTag: "(0010,21B0)" }
    category: other-id
    method: { kind: perturb, range: 5, roundTo: 1 }
`;
    const loaded = parseProfile(yaml, 'research-x.yaml');
    expect(loaded.profile.basis).toBe('custom');
    expect(loaded.profile.kinds.date).toEqual({ kind: 'dateShift' });
    expect(loaded.profile.kinds.name).toEqual({ kind: 'redact' });
    expect(loaded.profile.rules).toHaveLength(2);
    const json = JSON.stringify({ id: 'research-x', version: '2', extends: 'safe-harbor', kinds: { date: { kind: 'dateShift' }, device: { kind: 'cryptoHash', length: 16 } }, rules: loaded.profile.rules });
    expect(parseProfile(json).hash).toBe(loaded.hash);
  });

  it('names the path of what is wrong', () => {
    const cases: [string, string][] = [
      ['id: X\nversion: "1"\nextends: safe-harbor', '$.id'],
      ['id: x\nversion: "1"\nextends: nope', '$.extends'],
      ['id: x\nversion: "1"\nbasis: custom\nkinds: {name: {kind: redact}}', '$.kinds.geographic'],
      ['id: x\nversion: "1"\nextends: safe-harbor\nkinds: {date: {kind: shred}}', '$.kinds.date.kind'],
      ['id: x\nversion: "1"\nextends: safe-harbor\nkinds: {dates: {kind: keep}}', '$.kinds.dates'],
      ['id: x\nversion: "1"\nextends: safe-harbor\nrules: [{target: {hl7: PID5}, method: {kind: keep}}]', '$.rules[0].target.hl7'],
      ['id: x\nversion: "1"\nextends: safe-harbor\nrules: [{target: {hl7: PID-5}, method: {kind: generalize, to: prefix}}]', '$.rules[0].method.length'],
      ['id: x\nversion: "1"\nextends: safe-harbor\ncolour: red', '$.colour'],
    ];
    for (const [text, path] of cases) {
      const e = errorOf(() => parseProfile(text, 'p.yaml'));
      expect(e.code).toBe('invalid-profile');
      expect(e.place?.path, text).toBe(path);
      expect(e.place?.file).toBe('p.yaml');
    }
    expect(errorOf(() => parseProfile('{ not yaml: [', 'p.yaml')).code).toBe('invalid-profile');
  });
});
