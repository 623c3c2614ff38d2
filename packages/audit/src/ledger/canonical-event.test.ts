import { canonicalJson, canonicalJsonBytes, CanonicalJsonError } from '@phiguard/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PURPOSES_OF_USE } from '../events/purpose-of-use.ts';
import { leafHash } from '../merkle/hashes.ts';
import { prepareLeaf, prepareLeafAt } from './audit-leaf.ts';
import { canonicalAuditEventJson, canonicalEventJson } from './canonical-event.ts';
import { testEvent, testId } from './ledger-test-fixtures.ts';

// Any plain JSON value without undefined members (RFC 8785 input), strings of any code units.
const json = fc.jsonValue({ maxDepth: 4 });

const validEvent = fc.record(
  {
    actor: fc.record({ kind: fc.constantFrom('user', 'service', 'node'), id: fc.nat().map((n) => testId('usr', n)) }, { noNullPrototype: true }),
    action: fc.constantFrom('dataset.read', 'key.wrap', 'job.start', 'a.b.c.d'),
    outcome: fc.constantFrom('success', 'failure', 'denied', 'error'),
    resources: fc.array(fc.record({ type: fc.constantFrom('dataset', 'key', 'job'), id: fc.nat().map((n) => testId('ds', n)) }, { noNullPrototype: true }), { maxLength: 4 }),
    purpose: fc.constantFrom(...PURPOSES_OF_USE),
    reason: fc.constantFrom('expired', 'mfa-failed'),
    requestId: fc.nat().map((n) => `req-${String(n)}`),
    details: fc.dictionary(
      fc.stringMatching(/^[a-z][a-zA-Z0-9_]{0,12}$/),
      fc.oneof(fc.boolean(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.constantFrom('sha256:' + 'ab'.repeat(32), 'code-1')),
      { maxKeys: 8, noNullPrototype: true },
    ),
  },
  { requiredKeys: ['actor', 'action', 'outcome'], noNullPrototype: true },
);

describe('canonicalEventJson (RFC 8785 for audit events)', () => {
  it('gives the same text as canonicalJson for any JSON value (property)', () => {
    fc.assert(
      fc.property(json, (value) => {
        expect(canonicalEventJson(value)).toBe(canonicalJson(value));
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same text as canonicalJson for events, with or without members outside the schema (property)', () => {
    const extra = fc.dictionary(fc.string({ maxLength: 6 }), json, { maxKeys: 2, noNullPrototype: true });
    const odd = fc.constantFrom<Record<string, unknown>>({}, { actor: { id: 'x', kind: 'user', more: 1 } }, { resources: [{ id: 'a' }] }, { resources: [{ id: 1, type: 'a' }] }, { actor: 'x' }, { resources: 'x' });
    fc.assert(
      fc.property(validEvent, extra, odd, fc.boolean(), (event, more, weird, withExtra) => {
        const value = withExtra ? { ...event, ...more, ...weird } : { ...event, v: 1, time: '2026-01-01T00:00:00.000Z' };
        expect(canonicalAuditEventJson(value)).toBe(canonicalJson(value));
      }),
      { numRuns: 300 },
    );
    expect(() => canonicalAuditEventJson({ ...testEvent(1), reason: undefined, extra: undefined })).toThrow(CanonicalJsonError);
  });

  it('refuses what canonicalJson refuses, with the same code and no value in the message', () => {
    const bad: [unknown, string][] = [
      [{ a: Number.NaN }, 'non-finite-number'],
      [{ a: [Infinity] }, 'non-finite-number'],
      [{ a: 'x\ud800y' }, 'lone-surrogate'],
      [{ a: new Date(0) }, 'not-json'],
      [{ a: undefined }, 'not-json'],
      [{ a: 1n }, 'not-json'],
    ];
    for (const [value, code] of bad) {
      expect(() => canonicalJson(value)).toThrow(CanonicalJsonError);
      expect(() => canonicalEventJson(value)).toThrow(expect.objectContaining({ code }) as Error);
    }
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => canonicalEventJson(cycle)).toThrow(expect.objectContaining({ code: 'cycle' }) as Error);
  });
});

describe('prepareLeaf', () => {
  it('makes the canonical leaf of the event with v:1 and the time, and its RFC 9162 leaf hash (property)', () => {
    fc.assert(
      fc.property(validEvent, fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }), (input, time) => {
        const leaf = prepareLeaf(input, time);
        const expected = canonicalJsonBytes({ ...input, v: 1, time: time.toISOString() });
        expect(leaf.bytes.equals(expected)).toBe(true);
        expect(leaf.hash.equals(leafHash(expected))).toBe(true);
        expect(leaf.event).toEqual({ ...input, v: 1, time: time.toISOString() });
        expect(Object.isFrozen(leaf.event)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('does not follow later changes to the caller object', () => {
    const input = structuredClone(testEvent(7)) as { actor: { id: string } };
    const leaf = prepareLeafAt(input, '2026-01-01T00:00:00.000Z');
    const before = Buffer.from(leaf.bytes);
    input.actor.id = testId('usr', 99);
    expect(leaf.bytes.equals(before)).toBe(true);
    expect(leaf.event.actor.id).not.toBe(input.actor.id);
  });
});
