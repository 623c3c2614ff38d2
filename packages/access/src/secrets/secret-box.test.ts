import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SecretBox } from './secret-box.ts';

const box = new SecretBox(randomBytes(32));

describe('SecretBox (AES-256-GCM, HKDF per purpose, AAD = purpose + owner)', () => {
  it('opens what it sealed, for any bytes and owner', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.string({ maxLength: 40 }), (bytes, owner) => {
      const sealed = box.seal('totp-secret', owner, bytes);
      expect(SecretBox.isSealed(sealed)).toBe(true);
      expect(new Uint8Array(box.open('totp-secret', owner, sealed))).toEqual(bytes);
    }));
  });

  it('refuses another owner, another purpose, another key, and any changed character', () => {
    const sealed = box.seal('totp-secret', 'usr_a', Buffer.from('JBSWY3DPEHPK3PXP'));
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(() => box.open('totp-secret', 'usr_b', sealed)).toThrow(expect.objectContaining({ code: 'sealed-secret-invalid' }) as Error);
    expect(() => box.open('token-signing-key', 'usr_a', sealed)).toThrow(expect.objectContaining({ code: 'sealed-secret-invalid' }) as Error);
    expect(() => new SecretBox(randomBytes(32)).open('totp-secret', 'usr_a', sealed)).toThrow(expect.objectContaining({ code: 'sealed-secret-invalid' }) as Error);
    expect(() => box.open('totp-secret', 'usr_a', 'JBSWY3DPEHPK3PXP')).toThrow(expect.objectContaining({ code: 'sealed-secret-invalid' }) as Error);
    fc.assert(fc.property(fc.integer({ min: 5, max: sealed.length - 1 }), (i) => {
      const changed = sealed.slice(0, i) + (sealed[i] === 'A' ? 'B' : 'A') + sealed.slice(i + 1);
      // base64url's last character may carry unused bits; anything that decodes differently must fail.
      if (Buffer.from(changed.slice(5), 'base64url').equals(Buffer.from(sealed.slice(5), 'base64url'))) return;
      expect(() => box.open('totp-secret', 'usr_a', changed)).toThrow(expect.objectContaining({ code: 'sealed-secret-invalid' }) as Error);
    }));
  });
});
