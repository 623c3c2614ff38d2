import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPatientContextFactory } from './create-patient-context-factory.ts';
import { encodeBase32 } from '@phiguard/core';
import { deidKeyFromSecret, deriveHmacKey, hmac } from './deid-key.ts';
import { DeidError } from './deid-error.ts';

const key = deidKeyFromSecret(new Uint8Array(32).fill(7));
const otherKey = deidKeyFromSecret(new Uint8Array(32).fill(8));
const mrn = { system: 'MRN^HOSP', value: '12345678' };

describe('createPatientContextFactory', () => {
  it('gives the same pseudonym and shift for the same identity, in any spelling of it', () => {
    const a = createPatientContextFactory(key).forPatient(mrn);
    const b = createPatientContextFactory(key).forPatient({ system: ' mrn^hosp ', value: ' 12345678 ' });
    expect(b.pseudonym).toBe(a.pseudonym);
    expect(b.dateShiftDays).toBe(a.dateShiftDays);
    expect(a.pseudonym).toMatch(/^PG-[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(a.pseudonym).toMatch(/^[A-Z][A-Z0-9]{0,7}-[0-9A-Z]{6,64}$/); // the audit ledger's pseudonym form
  });

  it('gives unrelated values under another key and for another patient', () => {
    const a = createPatientContextFactory(key).forPatient(mrn);
    expect(createPatientContextFactory(otherKey).forPatient(mrn).pseudonym).not.toBe(a.pseudonym);
    expect(createPatientContextFactory(key).forPatient({ ...mrn, value: '12345679' }).pseudonym).not.toBe(a.pseudonym);
    expect(createPatientContextFactory(key).forPatient({ system: 'SSN', value: mrn.value }).pseudonym).not.toBe(a.pseudonym);
  });

  it('keeps shifts non-zero, inside the window, and whole weeks when weekdays are kept', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.string({ minLength: 1 }).filter((s) => s.trim() !== '' && !s.includes('\0')), fc.integer({ min: 7, max: 3650 }), fc.boolean(), (secret, value, window, weekday) => {
          const f = createPatientContextFactory(deidKeyFromSecret(secret), { dateShiftWindowDays: window, preserveWeekday: weekday });
          const s = f.forPatient({ system: 'mrn', value }).dateShiftDays;
          expect(s).not.toBe(0);
          expect(Math.abs(s)).toBeLessThanOrEqual(window);
          if (weekday) expect(Math.abs(s % 7)).toBe(0);
        }),
      { numRuns: 200 },
    );
  });

  it('spreads shifts over the whole window', () => {
    const f = createPatientContextFactory(deidKeyFromSecret(randomBytes(32)), { dateShiftWindowDays: 30 });
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(f.forPatient({ system: 'mrn', value: `P${String(i)}` }).dateShiftDays);
    expect(seen.size).toBe(60);
  });

  it('shifts dates by the patient shift, preserving intervals and weekdays on request', () => {
    const ctx = createPatientContextFactory(key, { preserveWeekday: true }).forPatient(mrn);
    const a = new Date(`${ctx.shiftIsoDate('2021-03-04')}T00:00:00Z`);
    const b = new Date(`${ctx.shiftIsoDate('2021-03-14')}T00:00:00Z`);
    expect((b.getTime() - a.getTime()) / 86_400_000).toBe(10);
    expect(a.getUTCDay()).toBe(new Date('2021-03-04T00:00:00Z').getUTCDay());
    expect(ctx.shiftIsoDate('2021-03-04T10:00:00+01:00')).toMatch(/^\d{4}-\d{2}-\d{2}T10:00:00\+01:00$/);
  });

  it('makes pseudonyms for other identifiers that depend on kind and value only', () => {
    const f = createPatientContextFactory(key);
    const p1 = f.forPatient(mrn);
    const p2 = f.forPatient({ system: 'mpi', value: 'X' });
    expect(p1.pseudonymFor('accession', 'A1')).toBe(p2.pseudonymFor('accession', 'A1'));
    expect(p1.pseudonymFor('accession', 'A1')).not.toBe(p1.pseudonymFor('encounter', 'A1'));
    expect(p1.pseudonymFor('accession', 'A1')).not.toBe(p1.pseudonym);
  });

  it('formats pseudonyms of every length as the first characters of the whole HMAC in base32', () => {
    fc.assert(
      fc.property(fc.integer({ min: 16, max: 52 }), fc.stringMatching(/^[A-Za-z0-9]{1,20}$/), (length, value) => {
        const mac = hmac(deriveHmacKey(key.secret, 'pseudonym'), 'mrn', value.toUpperCase()); // the normal form (normalize-identity.ts)
        const expected = `PG-${encodeBase32(mac).slice(0, length).toUpperCase()}`;
        expect(createPatientContextFactory(key, { pseudonymLength: length }).forPatient({ system: 'mrn', value }).pseudonym).toBe(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('makes the same pseudonymFor for any Unicode normal form of a value', () => {
    const f = createPatientContextFactory(key);
    const g = createPatientContextFactory(key);
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }).filter((s) => s.trim() !== ''), (value) => {
        expect(f.forPatient(mrn).pseudonymFor('accession', value.normalize('NFD'))).toBe(g.forPatient(mrn).pseudonymFor('accession', value.normalize('NFC')));
      }),
      { numRuns: 300 },
    );
  });

  it('gives exactly the specified pseudonyms and shifts (spec oracle: full normal form, base32 of the HMAC, BigInt modulo)', () => {
    // The contract of docs/deid/patient-context.md written out plainly, against every fast path of the factory.
    const text = fc.oneof(fc.stringMatching(/^[\x21-\x7e]{1,30}$/), fc.string({ unit: fc.constantFrom(' ', '\t', 'a', 'Z', '7', '-', '\u00a0', 'e\u0301', '\u00e9', '\u{1f600}'), minLength: 1 }), fc.string({ unit: 'grapheme', minLength: 1 }));
    const options = fc.record({ pseudonymLength: fc.integer({ min: 16, max: 52 }), dateShiftWindowDays: fc.integer({ min: 7, max: 3650 }), preserveWeekday: fc.boolean() });
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), options, text, text, text, (secret, opts, system, value, kind) => {
        const k = deidKeyFromSecret(secret);
        const f = createPatientContextFactory(k, opts);
        const s = system.normalize('NFC').trim().toLowerCase();
        const v = value.normalize('NFC').replace(/\s+/gu, '').toUpperCase();
        const pk = kind.trim().toLowerCase();
        const pv = value.normalize('NFC').trim();
        if (s === '' || v === '' || s.includes('\0') || v.includes('\0')) {
          expect(() => f.forPatient({ system, value })).toThrow(DeidError);
          return;
        }
        const ctx = f.forPatient({ system, value });
        const b32 = (mac: Buffer): string => `PG-${encodeBase32(mac).slice(0, opts.pseudonymLength).toUpperCase()}`;
        expect(ctx.pseudonym).toBe(b32(hmac(deriveHmacKey(secret, 'pseudonym'), s, v)));
        const step = opts.preserveWeekday ? 7 : 1;
        const half = Math.floor(opts.dateShiftWindowDays / step);
        const index = Number(hmac(deriveHmacKey(secret, 'date-shift'), s, v).readBigUInt64BE(0) % BigInt(2 * half));
        expect(ctx.dateShiftDays).toBe((index < half ? index - half : index - half + 1) * step);
        expect(f.forPatient({ system, value })).toBe(ctx); // cached
        if (pk === '' || pv === '') {
          expect(() => ctx.pseudonymFor(kind, value)).toThrow(TypeError);
          return;
        }
        const expected = b32(hmac(deriveHmacKey(secret, 'pseudonym-for'), pk, pv));
        expect(ctx.uncachedPseudonymFor?.(kind, value)).toBe(expected);
        expect(ctx.pseudonymFor(kind, value)).toBe(expected);
        expect(ctx.pseudonymFor(kind, value)).toBe(expected); // from the cache
      }),
      { numRuns: 400 },
    );
  });

  it('refuses empty identities and bad keys with typed errors that carry no value', () => {
    const f = createPatientContextFactory(key);
    expect(() => f.forPatient({ system: 'mrn', value: '   ' })).toThrow(DeidError);
    expect(() => deidKeyFromSecret(new Uint8Array(16))).toThrow(DeidError);
  });

  it('derives a key id that is a hash and never the key', () => {
    expect(key.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(key.id).not.toContain(Buffer.from(key.secret).toString('hex'));
    expect(otherKey.id).not.toBe(key.id);
  });
});
