// HPKE for key release (RFC 9180): the suite against the RFC's own test vectors, then the
// properties the release relies on (only the bound key opens it; any change fails).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateNodeKeyPair } from './node-key.ts';
import { releaseCipherSuite, RELEASE_SUITE } from './release-suite.ts';
import { openSealedKeys, sealKeys, type DataKey, type SealedKeys } from './sealed-keys.ts';

const repoRoot = path.resolve(import.meta.dirname, '../../../..');
const VECTORS = path.resolve(repoRoot, '../shared/vectors/hpke/derived_rfc9180_dhkem-x25519-p256_hkdf-sha256.json');

interface Vector {
  mode: number; kem_id: number; kdf_id: number; aead_id: number;
  info: string; ikmE: string; ikmR: string; skRm: string; pkRm: string; enc: string;
  encryptions: { aad: string; ct: string; nonce: string; pt: string }[];
}
const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const toHex = (b: ArrayBuffer): string => Buffer.from(b).toString('hex');

describe('RFC 9180 test vectors (DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM, base mode)', () => {
  const all = JSON.parse(readFileSync(VECTORS, 'utf8')) as Vector[];
  // RFC 9180 Appendix A.1 family: the one suite key release uses, base mode (§5.1.1).
  const vector = all.find((v) => v.mode === 0 && v.kem_id === RELEASE_SUITE.kemId && v.kdf_id === RELEASE_SUITE.kdfId && v.aead_id === RELEASE_SUITE.aeadId);

  it('has the vector for our suite', () => {
    expect(vector).toBeDefined();
    expect(vector?.encryptions.length).toBeGreaterThan(100);
  });

  it('derives the recipient key, encapsulates to the same enc and seals every message to the same ciphertext', async () => {
    if (vector === undefined) throw new Error('vector missing');
    const suite = releaseCipherSuite();
    const recipient = await suite.kem.deriveKeyPair(hex(vector.ikmR));
    expect(toHex(await suite.kem.serializePublicKey(recipient.publicKey))).toBe(vector.pkRm);
    const sender = await suite.createSenderContext({ recipientPublicKey: recipient.publicKey, info: hex(vector.info), ekm: hex(vector.ikmE) });
    expect(toHex(sender.enc)).toBe(vector.enc);
    for (const e of vector.encryptions) expect(toHex(await sender.seal(hex(e.pt), hex(e.aad)))).toBe(e.ct);
  });

  it('opens every ciphertext of the vector with skRm', async () => {
    if (vector === undefined) throw new Error('vector missing');
    const suite = releaseCipherSuite();
    const recipientKey = await suite.kem.deserializePrivateKey(hex(vector.skRm));
    const ctx = await suite.createRecipientContext({ recipientKey, enc: hex(vector.enc), info: hex(vector.info) });
    for (const e of vector.encryptions) expect(toHex(await ctx.open(hex(e.ct), hex(e.aad)))).toBe(e.pt);
  });
});

const keyArb = fc.record({
  id: fc.stringMatching(/^key_[a-z0-9]{4,20}$/),
  key: fc.uint8Array({ minLength: 1, maxLength: 64 }),
});
const keysArb = fc.uniqueArray(keyArb, { minLength: 1, maxLength: 4, selector: (k) => k.id });
const jobArb = fc.stringMatching(/^job_[a-z0-9]{8}$/);
const HASH = `sha256:${'ab'.repeat(32)}`;

describe('sealed keys', () => {
  it('round-trips for the bound key and job', async () => {
    await fc.assert(
      fc.asyncProperty(keysArb, jobArb, async (keys: DataKey[], jobId) => {
        const node = await generateNodeKeyPair();
        const sealed = await sealKeys({ jobId, evidenceHash: HASH, recipientPublicKey: node.publicKey, keys });
        const opened = await openSealedKeys(sealed, node.privateKey, { jobId, evidenceHash: HASH });
        expect(opened?.map((k) => [k.id, Buffer.from(k.key).toString('hex')])).toEqual(keys.map((k) => [k.id, Buffer.from(k.key).toString('hex')]));
      }),
      { numRuns: 60 },
    );
  });

  it("a release sealed to node A's key cannot be opened with node B's", async () => {
    await fc.assert(
      fc.asyncProperty(keysArb, jobArb, async (keys, jobId) => {
        const a = await generateNodeKeyPair();
        const b = await generateNodeKeyPair();
        const sealed = await sealKeys({ jobId, evidenceHash: HASH, recipientPublicKey: a.publicKey, keys });
        expect(await openSealedKeys(sealed, b.privateKey, { jobId, evidenceHash: HASH })).toBeUndefined();
      }),
      { numRuns: 60 },
    );
  });

  it('any changed byte of enc or ct, or a changed key id, job or evidence hash, fails to open', async () => {
    const node = await generateNodeKeyPair();
    const keys = [{ id: 'key_a', key: new Uint8Array(32).fill(7) }, { id: 'key_b', key: new Uint8Array(32).fill(9) }];
    const sealed = await sealKeys({ jobId: 'job_1', evidenceHash: HASH, recipientPublicKey: node.publicKey, keys });
    const expectation = { jobId: 'job_1', evidenceHash: HASH };
    const flip = (b64: string, i: number, bit: number): string => {
      const bytes = Buffer.from(b64, 'base64');
      bytes[i % bytes.length] = (bytes[i % bytes.length] ?? 0) ^ (1 << bit);
      return bytes.toString('base64');
    };
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.nat(), fc.integer({ min: 0, max: 7 }), async (inEnc, i, bit) => {
        const tampered: SealedKeys = inEnc ? { ...sealed, enc: flip(sealed.enc, i, bit) } : { ...sealed, ct: flip(sealed.ct, i, bit) };
        expect(await openSealedKeys(tampered, node.privateKey, expectation)).toBeUndefined();
      }),
      { numRuns: 150 },
    );
    expect(await openSealedKeys({ ...sealed, keyIds: ['key_b', 'key_a'] }, node.privateKey, expectation)).toBeUndefined();
    expect(await openSealedKeys({ ...sealed, jobId: 'job_2' }, node.privateKey, { ...expectation, jobId: 'job_2' })).toBeUndefined();
    expect(await openSealedKeys(sealed, node.privateKey, { ...expectation, evidenceHash: `sha256:${'cd'.repeat(32)}` })).toBeUndefined();
    expect(await openSealedKeys(sealed, node.privateKey, expectation)).toHaveLength(2);
  });

  it('refuses misuse with TypeError', async () => {
    const node = await generateNodeKeyPair();
    await expect(sealKeys({ jobId: 'j', evidenceHash: HASH, recipientPublicKey: new Uint8Array(31), keys: [{ id: 'k', key: new Uint8Array(1) }] })).rejects.toThrow(TypeError);
    await expect(sealKeys({ jobId: 'j', evidenceHash: HASH, recipientPublicKey: node.publicKey, keys: [] })).rejects.toThrow(TypeError);
    await expect(sealKeys({ jobId: 'j', evidenceHash: HASH, recipientPublicKey: node.publicKey, keys: [{ id: 'a b', key: new Uint8Array(1) }] })).rejects.toThrow(TypeError);
  });
});
