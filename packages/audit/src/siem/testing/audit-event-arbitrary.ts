import fc from 'fast-check';
import type { AuditEvent } from '../../events/audit-event.ts';
import { PURPOSES_OF_USE } from '../../events/purpose-of-use.ts';
import { validateAuditEvent } from '../../events/validate-event.ts';

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz'.split('');
const idBody = fc.array(fc.constantFrom(...CROCKFORD), { minLength: 26, maxLength: 26 }).map((a) => a.join(''));
const code = fc.stringMatching(/^[a-z][a-z0-9._:/-]{0,20}$/);
const word = fc.oneof(
  fc.constantFrom('auth', 'user', 'key', 'policy', 'dataset', 'job', 'node', 'blob', 'session', 'token', 'account'),
  fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/),
);
const verb = fc.oneof(
  fc.constantFrom('read', 'create', 'delete', 'login', 'logout', 'destroy', 'rotate', 'enable', 'grant', 'password-reset', 'decide'),
  fc.stringMatching(/^[a-z][a-z0-9-]{0,31}$/),
);

/** Valid `AuditEvent`s (they pass `validateAuditEvent`), covering every optional field. */
export const auditEventArbitrary: fc.Arbitrary<AuditEvent> = fc
  .record(
    {
      actor: fc.oneof(
        fc.record({ kind: fc.constantFrom('user' as const, 'service' as const, 'node' as const), id: fc.tuple(fc.constantFrom('usr', 'svc', 'node'), idBody).map(([p, b]) => `${p}_${b}`) }),
        fc.record({ kind: fc.constant('system' as const), id: code }),
      ),
      action: fc.tuple(word, fc.array(verb, { minLength: 1, maxLength: 2 })).map(([w, v]) => [w, ...v].join('.')),
      outcome: fc.constantFrom('success' as const, 'failure' as const, 'denied' as const, 'error' as const),
      resources: fc.array(fc.record({ type: code, id: fc.oneof(code, idBody.map((b) => `ds_${b}`)) }), { maxLength: 3 }),
      purpose: fc.constantFrom(...PURPOSES_OF_USE),
      reason: code,
      requestId: fc.stringMatching(/^req-[0-9]{1,12}$/),
      details: fc.dictionary(fc.stringMatching(/^[a-z][a-zA-Z0-9_]{0,20}$/), fc.oneof(fc.boolean(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), code), {
        maxKeys: 4,
      }),
    },
    { requiredKeys: ['actor', 'action', 'outcome'] },
  )
  .chain((input) =>
    fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }).map((time) => {
      // Through JSON: fast-check builds some objects without Object.prototype, which the validator refuses.
      const valid = validateAuditEvent(JSON.parse(JSON.stringify(input)));
      return Object.freeze({ ...valid, v: 1 as const, time: time.toISOString() });
    }),
  );

/** A fixed, valid event for index `i` (deterministic, for integration tests and child processes). */
export function sampleEvent(i: number): AuditEvent {
  const outcomes = ['success', 'failure', 'denied', 'error'] as const;
  const event: AuditEvent = {
    v: 1,
    time: new Date(Date.UTC(2026, 10, 24, 4, 0, 0, i)).toISOString(),
    actor: { kind: 'user', id: 'usr_01jd0000000000000000000000' },
    action: i % 3 === 0 ? 'dataset.read' : i % 3 === 1 ? 'key.rotate' : 'auth.login',
    outcome: outcomes[i % 4] ?? 'success',
    resources: [{ type: 'dataset', id: 'ds_01jd0000000000000000000001' }],
    purpose: 'TREAT',
    details: { seq: i },
  };
  return Object.freeze(event);
}
