import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DeidManifestBuilder, manifestHash } from './deid-manifest-builder.ts';
import { DeidTally } from './deid-tally.ts';
import { ed25519ManifestSigner, signManifest, verifyManifest } from './sign-manifest.ts';

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

function sample(): DeidManifestBuilder {
  const tally = new DeidTally();
  tally.add('name', 'hl7.PID-5:redact', 2);
  tally.add('date', 'hl7.PID-7:year');
  return new DeidManifestBuilder({
    runId: 'run_01',
    format: 'hl7v2',
    profile: { id: 'safe-harbor', version: '1', hash: `sha256:${sha('p')}` },
    keyId: `sha256:${sha('k')}`,
    startedAt: '2026-11-24T00:00:00.000Z',
  })
    .addInput({ sha256: sha('a'), bytes: 10 }, 3)
    .addOutput({ sha256: sha('b'), bytes: 9, input: sha('a') })
    .addTally(tally)
    .addProblem(sha('a'), 'hl7-bad-encoding', 'bad MSH-2', { file: 'JOHN_DOE.hl7', line: 4, segment: 'MSH', field: '2', index: 1 });
}

describe('DeidManifestBuilder', () => {
  it('builds a frozen manifest with counts, files by hash and problems without file names', () => {
    const m = sample().build('2026-11-24T00:00:01.000Z');
    expect(Object.isFrozen(m) && Object.isFrozen(m.counts.byRule)).toBe(true);
    expect(m.counts.byCategory).toEqual({ date: 1, name: 2 });
    expect(m.counts.byRule).toEqual({ 'hl7.PID-5:redact': 2, 'hl7.PID-7:year': 1 });
    expect(m.totals).toEqual({ files: 1, filesFailed: 0, records: 3, recordsFailed: 1 });
    expect(JSON.stringify(m)).not.toContain('JOHN_DOE');
    expect(manifestHash(m)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('refuses values that are not hashes or rule ids', () => {
    expect(() => sample().addInput({ sha256: 'John Smith', bytes: 1 }, 1)).toThrow();
    expect(() => sample().count('name', 'John Smith')).toThrow(TypeError);
  });

  it('signs with Ed25519 over canonical JSON; any change fails verification', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const m = sample().build('2026-11-24T00:00:01.000Z');
    const signed = await signManifest(m, ed25519ManifestSigner(privateKey));
    expect(signed.hash).toBe(manifestHash(m));
    expect(verifyManifest(signed, publicKey)).toBe(true);
    const tampered = { ...signed, manifest: { ...m, totals: { ...m.totals, records: 4 } } };
    expect(verifyManifest(tampered, publicKey)).toBe(false);
    expect(verifyManifest({ ...tampered, hash: manifestHash(tampered.manifest) }, publicKey)).toBe(false);
    expect(verifyManifest(signed, generateKeyPairSync('ed25519').publicKey)).toBe(false);
  });
});
