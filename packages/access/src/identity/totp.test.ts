import { readFileSync } from 'node:fs';
import path from 'node:path';
import { generateSync } from 'otplib';
import { ManualClock } from '@phiguard/core';
import { describe, expect, it } from 'vitest';
import { matchTotp, newTotpSecret, totpCode, TOTP_PERIOD_S } from './totp.ts';

const repoRoot = path.resolve(import.meta.dirname, '../../../..');

interface Vectors {
  readonly keys: Record<string, { readonly hex: string }>;
  readonly vectors: readonly { readonly unixTime: number; readonly mode: string; readonly totp: string }[];
}

describe('TOTP (RFC 6238)', () => {
  it('reproduces every RFC 6238 Appendix B vector through otplib', () => {
    const data = JSON.parse(readFileSync(path.resolve(repoRoot, '../shared/vectors/totp/rfc6238_appendix_b.json'), 'utf8')) as Vectors;
    expect(data.vectors).toHaveLength(18);
    for (const v of data.vectors) {
      const key = data.keys[v.mode];
      if (key === undefined) throw new Error('vector file lacks a key');
      const algorithm = v.mode.toLowerCase() as 'sha1' | 'sha256' | 'sha512';
      expect(generateSync({ secret: new Uint8Array(Buffer.from(key.hex, 'hex')), epoch: v.unixTime, digits: 8, algorithm })).toBe(v.totp);
    }
  });

  it('accepts the current step and one either side, and returns the matched step', () => {
    const secret = newTotpSecret();
    const clock = new ManualClock(1_700_000_000_000);
    const step = Math.floor(1_700_000_000 / TOTP_PERIOD_S);
    expect(matchTotp(secret, totpCode(secret, clock.nowMs()), clock)).toBe(step);
    expect(matchTotp(secret, totpCode(secret, clock.nowMs() - 30_000), clock)).toBe(step - 1);
    expect(matchTotp(secret, totpCode(secret, clock.nowMs() + 30_000), clock)).toBe(step + 1);
    expect(matchTotp(secret, totpCode(secret, clock.nowMs() - 90_000), clock)).toBeUndefined();
    expect(matchTotp(secret, 'abcdef', clock)).toBeUndefined();
  });
});
