import { describe, expect, it } from 'vitest';
import { createPatientContextFactory } from '../context/create-patient-context-factory.ts';
import { deidKeyFromSecret } from '../context/deid-key.ts';
import { DeidError } from '../context/deid-error.ts';
import { KnownIdentifiersTextDeidentifier } from '../safe-harbor/known-identifiers-text-deidentifier.ts';
import { builtinProfile } from './load-profile.ts';
import { MethodApplier } from './method-applier.ts';
import type { LinkageTokenizer } from './linkage-tokenizer.ts';

const key = deidKeyFromSecret(new Uint8Array(32).fill(1));
const patient = createPatientContextFactory(key).forPatient({ system: 'mrn', value: '42' });
const text = new KnownIdentifiersTextDeidentifier();

describe('MethodApplier', () => {
  const sh = new MethodApplier(builtinProfile('safe-harbor'), key, { text });

  it('looks up the most specific value kind first', () => {
    expect(sh.methodFor('geographic.zip')).toEqual({ kind: 'generalize', to: 'zip3' });
    expect(sh.methodFor('geographic.street')).toEqual({ kind: 'redact' });
    expect(sh.methodFor('geographic.state')).toEqual({ kind: 'keep' });
  });

  it('applies every method', () => {
    const ctx = { kind: 'date' as const, patient };
    expect(sh.apply({ kind: 'keep' }, 'x', ctx)).toBe('x');
    expect(sh.apply({ kind: 'redact' }, 'x', ctx)).toBeUndefined();
    expect(sh.apply({ kind: 'substitute', value: 'REMOVED' }, 'x', ctx)).toBe('REMOVED');
    expect(sh.apply({ kind: 'dateShift' }, '2020-01-10', ctx)).toBe(patient.shiftIsoDate('2020-01-10'));
    expect(sh.apply({ kind: 'dateShift' }, '2020-01-10', { kind: 'date' })).toBe('2020');
    expect(sh.apply({ kind: 'generalize', to: 'year' }, '2020-01-10T10:00', ctx)).toBe('2020');
    expect(sh.apply({ kind: 'generalize', to: 'zip3' }, '03601', ctx)).toBe('000');
    expect(sh.apply({ kind: 'generalize', to: 'zip3' }, '90210-1234', ctx)).toBe('902');
    expect(sh.apply({ kind: 'generalize', to: 'age90' }, '93', ctx)).toBe('90+');
    expect(sh.apply({ kind: 'generalize', to: 'age90' }, '89', ctx)).toBe('89');
    expect(sh.apply({ kind: 'pseudonym' }, '42', { kind: 'mrn', patient, idKind: 'patient' })).toBe(patient.pseudonym);
    expect(sh.apply({ kind: 'pseudonym' }, 'V1', { kind: 'account', patient, idKind: 'visit' })).toBe(patient.pseudonymFor('visit', 'V1'));
    const h = sh.apply({ kind: 'cryptoHash', length: 16 }, 'SER-1', { kind: 'device' });
    expect(h).toMatch(/^[0-9a-f]{16}$/);
    expect(new MethodApplier(builtinProfile('safe-harbor'), deidKeyFromSecret(new Uint8Array(32).fill(2)), { text }).apply({ kind: 'cryptoHash', length: 16 }, 'SER-1', { kind: 'device' })).not.toBe(h);
    const p = Number(sh.apply({ kind: 'perturb', range: 5 }, '100', { kind: 'other-id' }));
    expect(Math.abs(p - 100)).toBeLessThanOrEqual(5);
    expect(sh.apply({ kind: 'perturb', range: 5 }, 'abc', { kind: 'other-id' })).toBeUndefined();
    expect(sh.apply({ kind: 'text' }, 'seen by Smith', { kind: 'text', known: { names: ['Smith'] } })).toBe('seen by [NAME]');
    expect(sh.takeTextSpans()).toHaveLength(1);
  });

  it('tokenizes through the linkage vault port, and refuses without one', () => {
    expect(() => sh.apply({ kind: 'encrypt' }, 'x', { kind: 'ssn' })).toThrow(DeidError);
    const vault = new Map<string, string>();
    const tokenizer: LinkageTokenizer = {
      tokenize: (kind, value) => {
        const token = `TK-${String(vault.size + 1).padStart(6, '0')}`;
        vault.set(token, `${kind}:${value}`);
        return token;
      },
      flush: () => Promise.resolve(),
    };
    const withVault = new MethodApplier(builtinProfile('safe-harbor'), key, { text, tokenizer });
    expect(withVault.apply({ kind: 'encrypt' }, '123-45-6789', { kind: 'ssn' })).toBe('TK-000001');
    expect(vault.get('TK-000001')).toBe('ssn:123-45-6789');
  });
});
