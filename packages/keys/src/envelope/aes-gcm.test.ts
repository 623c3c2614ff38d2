import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { gcmOpen, gcmSeal } from './aes-gcm.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
interface Vector { tcId: number; key: string; iv: string; aad: string; msg: string; ct: string; tag: string; result: 'valid' | 'invalid' | 'acceptable' }
interface Group { keySize: number; ivSize: number; tagSize: number; tests: Vector[] }
const file = JSON.parse(readFileSync(path.resolve(repoRoot, '../shared/vectors/wycheproof/aes_gcm_test.json'), 'utf8')) as { testGroups: Group[] };
// Only what the envelope uses: AES-256, 96-bit nonces, 128-bit tags (NIST SP 800-38D §5.2.1.1).
const vectors = file.testGroups.filter((g) => g.keySize === 256 && g.ivSize === 96 && g.tagSize === 128).flatMap((g) => g.tests);
const hex = (s: string): Buffer => Buffer.from(s, 'hex');

describe('AES-256-GCM against Wycheproof aes_gcm_test.json', () => {
  it('has applicable vectors', () => {
    expect(vectors.length).toBeGreaterThan(20);
    expect(vectors.some((v) => v.result === 'invalid')).toBe(true);
  });

  it.each(vectors.map((v) => [v.tcId, v] as const))('tcId %i', (_id, v) => {
    const key = hex(v.key);
    const opened = gcmOpen(key, hex(v.iv), hex(v.aad), [hex(v.ct)], hex(v.tag));
    if (v.result === 'invalid') {
      expect(opened).toBeUndefined();
      return;
    }
    expect(Buffer.concat(opened ?? []).toString('hex')).toBe(v.msg);
    // Split into pieces, as the streams do: same result.
    const msg = hex(v.msg);
    const sealed = Buffer.concat(gcmSeal(key, hex(v.iv), hex(v.aad), [msg.subarray(0, 5), msg.subarray(5)]));
    expect(sealed.toString('hex')).toBe(v.ct + v.tag);
  });
});
