import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { argon2idHasher } from './password-hasher.ts';
import { loadCommonPasswords, PasswordPolicy } from './password-policy.ts';

const policy = new PasswordPolicy();

describe('PasswordPolicy (NIST SP 800-63B §5.1.1.2)', () => {
  it('refuses short, common and username-containing passwords', () => {
    expect(policy.check('short-pass1', 'alice')).toEqual({ ok: false, reason: 'too-short' });
    expect(policy.check('Password1234!', 'alice')).toEqual({ ok: false, reason: 'common' });
    expect(policy.check('qwertyuiop123', 'alice')).toEqual({ ok: false, reason: 'common' });
    expect(policy.check('PasswordPassword', 'alice')).toEqual({ ok: false, reason: 'common' });
    expect(policy.check('xx-Alice-loves-tea', 'alice')).toEqual({ ok: false, reason: 'contains-username' });
    expect(policy.check('violet-anchor-drizzle', 'alice')).toEqual({ ok: true });
  });

  it('refuses every shipped common password, however padded with digits and symbols', () => {
    const common = [...loadCommonPasswords()];
    expect(common.length).toBeGreaterThan(40);
    fc.assert(
      fc.property(fc.constantFrom(...common), fc.stringMatching(/^[0-9!@#$%]{0,6}$/), fc.stringMatching(/^[0-9!@#$%]{0,12}$/), (word, pre, post) => {
        expect(policy.check(`${pre}${word.toUpperCase()}${post}`, 'someone').ok).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('hashes with argon2id and verifies only the right password', async () => {
    const hasher = argon2idHasher();
    const hashed = await hasher.hash('violet-anchor-drizzle');
    expect(hashed.startsWith('$argon2id$v=19$m=19456,t=2,p=1$')).toBe(true);
    expect(await hasher.verify(hashed, 'violet-anchor-drizzle')).toBe(true);
    expect(await hasher.verify(hashed, 'violet-anchor-drizzlf')).toBe(false);
    expect(await hasher.verify('not-a-hash', 'x')).toBe(false);
  });
});
