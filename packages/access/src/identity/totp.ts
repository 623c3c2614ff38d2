import { generateSecret, generateSync, generateURI, verifySync } from 'otplib';
import type { Clock } from '@phiguard/core';

/** RFC 6238 §4 parameters PHIGuard uses: SHA-1, 6 digits, 30 s steps, T0 = 0 (what authenticator apps support). */
export const TOTP_PERIOD_S = 30;

/** A new 160-bit Base32 secret (RFC 4226 §4 R6 recommends 160 bits). */
export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

/** The otpauth:// URI for the authenticator app (label is the user id, never a name). */
export function totpUri(secret: string, label: string, issuer = 'PHIGuard'): string {
  return generateURI({ issuer, label, secret });
}

export function totpCode(secret: string, atMs: number): string {
  return generateSync({ secret, epoch: Math.floor(atMs / 1000) });
}

/**
 * Checks a code against the current step and one step either side (RFC 6238 §5.2 allows a small
 * window for clock drift and transmission delay). Returns the matched time step, which the caller
 * must record so the same code is never accepted again (RFC 6238 §5.2: "MUST NOT accept the
 * second attempt of the same OTP").
 */
export function matchTotp(secret: string, code: string, clock: Clock): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const epoch = Math.floor(clock.nowMs() / 1000);
  const result = verifySync({ secret, token: code, epoch, epochTolerance: TOTP_PERIOD_S });
  return result.valid ? Math.floor(epoch / TOTP_PERIOD_S) + result.delta : undefined;
}
