// A fixed event sequence whose leaves, leaf hashes, tiles and root are pinned in
// ledger-bytes-pinned.test.ts: any change to the append path that alters a byte on the wire fails it.
import type { AuditEventInput } from '../events/audit-event.ts';
import { testEvent, testId } from './ledger-test-fixtures.ts';

/** Event `n` of the pinned sequence: the test events, `authz.decide` decisions and the schema's edge shapes. */
export function pinnedEvent(n: number): AuditEventInput {
  switch (n % 4) {
    case 0:
      return testEvent(n);
    case 1:
      return {
        actor: { kind: 'user', id: testId('usr', n % 11) },
        action: 'authz.decide',
        outcome: n % 3 === 0 ? 'denied' : 'success',
        resources: [{ type: 'dataset', id: testId('ds', n % 5) }],
        purpose: 'HRESCH',
        ...(n % 3 === 0 ? { reason: 'policy-denied' } : {}),
        requestId: `req-${String(n)}`,
        details: { action: 'dataset.read', decision: n % 3 === 0 ? 'deny' : 'allow', policies: 2, policy1: 'dataset-read-grant', policy2: 'purpose-required' },
      };
    case 2:
      // Several resources, members in non-sorted insertion order, numbers that JCS renders specially.
      return {
        details: { zeta: -0, alpha: 1e21, mid: 0.1 + 0.2, big: 2 ** 53, small: 5e-7, flag: false, code: 'a.b/c:d-e_f' },
        resources: [
          { id: testId('job', n), type: 'job' },
          { type: 'model', id: `sha256:${'0123456789abcdef'.repeat(4)}` },
          { type: 'patient', id: `PSN-${String(100000 + n)}` },
        ],
        outcome: 'error',
        action: 'job.start',
        actor: { id: testId('node', n % 3), kind: 'node' },
        requestId: '123e4567-e89b-12d3-a456-426614174000',
      };
    default:
      return { actor: { kind: 'system', id: 'ledger.rotation' }, action: 'key.rotate.start', outcome: 'failure', reason: 'hsm-unavailable' };
  }
}

/** The leaf time of event `n`: a millisecond clock that repeats some times (several events per millisecond). */
export function pinnedTime(n: number): Date {
  return new Date(Date.UTC(2026, 10, 24, 8, 30, 0, 0) + Math.floor(n / 3) * 7);
}
