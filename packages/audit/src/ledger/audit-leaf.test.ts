// The leaf of an event is RFC 8785 canonical JSON (checked against canonicalJson of
// @phiguard/core, the generic implementation) and its RFC 9162 §2.1.1 leaf hash.
import { canonicalJson, canonicalJsonBytes } from '@phiguard/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PURPOSES_OF_USE } from '../events/purpose-of-use.ts';
import { leafHash } from '../merkle/hashes.ts';
import { prepareLeaf, prepareLeafAt } from './audit-leaf.ts';
import { pinnedEvent, pinnedTime } from './pinned-events.ts';
import { testEvent, testId } from './ledger-test-fixtures.ts';

// Members in any insertion order (fc.record and fc.dictionary do not sort), details of every kind.
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

describe('prepareLeaf member order', () => {
  it('builds the event with its members already in RFC 8785 order, nested ones included', () => {
    const sorted = (value: unknown): boolean => {
      if (typeof value !== 'object' || value === null) return true;
      const keys = Object.keys(value);
      return keys.every((k, i) => i === 0 || (keys[i - 1] as string) < k) && Object.values(value).every(sorted);
    };
    for (let n = 0; n < 8; n++) {
      const leaf = prepareLeaf(pinnedEvent(n), pinnedTime(n));
      expect(sorted(leaf.event)).toBe(true);
      expect(leaf.bytes.toString('utf8')).toBe(canonicalJson(leaf.event));
    }
  });
});
