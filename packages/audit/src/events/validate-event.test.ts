import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AuditEventError, validateAuditEvent } from './validate-event.ts';

const base = { actor: { kind: 'user', id: 'usr_01jd8k2m3n4p5q6r7s8t9v0w1x' }, action: 'dataset.read', outcome: 'success' } as const;
const SEEDED = ['Jonathan Quimby', '078-05-1120', '(555) 867-5309', '1970-03-04', 'jq@example.org', '12 Main Street'];

describe('validateAuditEvent', () => {
  it('accepts a full, well-formed event and freezes it', () => {
    const event = validateAuditEvent({
      ...base,
      resources: [{ type: 'dataset', id: 'ds_01jd8k2m3n4p5q6r7s8t9v0w1x' }, { type: 'patient', id: 'PG-7Q2M4X9A' }, { type: 'blob', id: `sha256:${'a'.repeat(64)}` }],
      purpose: 'HRESCH',
      reason: 'policy-allowed',
      requestId: 'req-42',
      details: { bytes: 1024, sealed: true, keyVersion: 3, profile: 'safe-harbor' },
    });
    expect(Object.isFrozen(event)).toBe(true);
    expect(validateAuditEvent({ ...base, requestId: '0b9e4f0e-7a61-4c1e-9d2b-5b1c2d3e4f50' }).requestId).toBeDefined();
  });

  it('refuses unknown fields and malformed values, naming the field but never the value', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...base, note: 'x' }, '$.note'],
      [{ ...base, actor: { kind: 'user', id: 'John Smith' } }, '$.actor.id'],
      [{ ...base, action: 'Read Dataset' }, '$.action'],
      [{ ...base, outcome: 'ok' }, '$.outcome'],
      [{ ...base, purpose: 'FUN' }, '$.purpose'],
      [{ ...base, resources: [{ type: 'patient', id: '078-05-1120' }] }, '$.resources[0].id'],
      [{ ...base, requestId: '078-05-1120' }, '$.requestId'],
      [{ ...base, details: { note: 'had a fall at home' } }, '$.details.note'],
    ];
    for (const [input, path] of cases) {
      let caught: unknown;
      try {
        validateAuditEvent(input);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(AuditEventError);
      expect((caught as AuditEventError).place?.path).toBe(path);
    }
  });

  it('never lets a seeded identifier into any string field, and never echoes it in the error', () => {
    const fields: ((v: string) => Record<string, unknown>)[] = [
      (v) => ({ ...base, actor: { kind: 'user', id: v } }),
      (v) => ({ ...base, resources: [{ type: 'patient', id: v }] }),
      (v) => ({ ...base, reason: v }),
      (v) => ({ ...base, requestId: v }),
      (v) => ({ ...base, details: { value: v } }),
    ];
    fc.assert(
      fc.property(fc.constantFrom(...SEEDED), fc.constantFrom(...fields), (value, field) => {
        let message = '';
        expect(() => {
          try {
            validateAuditEvent(field(value));
          } catch (error) {
            message = (error as Error).message;
            throw error;
          }
        }).toThrow(AuditEventError);
        expect(message).not.toContain(value);
      }),
    );
  });
});

describe('validateAuditEvent copies', () => {
  it('returns a deep frozen copy that later changes to the input cannot reach', () => {
    const input = { ...base, resources: [{ type: 'dataset', id: 'ds_01jd8k2m3n4p5q6r7s8t9v0w1x' }], details: { bytes: 1 } };
    const event = validateAuditEvent(input);
    input.resources[0]!.id = 'ds_01jd8k2m3n4p5q6r7s8t9v0w1y';
    input.details.bytes = 2;
    expect(event.resources?.[0]?.id).toBe('ds_01jd8k2m3n4p5q6r7s8t9v0w1x');
    expect(event.details?.bytes).toBe(1);
    expect(Object.isFrozen(event.resources?.[0])).toBe(true);
    expect(Object.isFrozen(event.details)).toBe(true);
    expect(Object.isFrozen(event.actor)).toBe(true);
  });

  it('reads each member once: a getter cannot swap an unchecked value in after the check', () => {
    let reads = 0;
    const input = {
      ...base,
      get reason(): string {
        reads += 1;
        return reads === 1 ? 'expired' : 'Jonathan Quimby';
      },
    };
    expect(validateAuditEvent(input).reason).toBe('expired');
    expect(reads).toBe(1);
  });
});
