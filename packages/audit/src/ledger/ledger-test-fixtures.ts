// Shared by the ledger's tests, the crash-test child and the benchmark: well-formed events and
// seeded identifiers that must never reach a leaf, an error message or CLI output.
import type { AuditEventInput } from '../events/audit-event.ts';

const ID_CHARS = '0123456789abcdefghjkmnpqrstvwxyz';

/** A syntactically valid PHIGuard id derived from a number (deterministic, for tests). */
export function testId(prefix: string, n: number): string {
  let body = '';
  let x = Math.abs(Math.trunc(n));
  for (let i = 0; i < 26; i++) {
    body = (ID_CHARS[x % 32] ?? '0') + body;
    x = Math.floor(x / 32);
  }
  return `${prefix}_${body}`;
}

/** A well-formed event; `n` varies actor, action and resources. */
export function testEvent(n: number): AuditEventInput {
  return {
    actor: { kind: n % 5 === 0 ? 'service' : 'user', id: testId(n % 5 === 0 ? 'svc' : 'usr', n % 7) },
    action: n % 3 === 0 ? 'dataset.read' : 'key.wrap',
    outcome: 'success',
    resources: [{ type: 'dataset', id: testId('ds', n % 4) }],
    purpose: 'TREAT',
    details: { count: n, sealed: n % 2 === 0 },
  };
}

/** Fake identifiers of a made-up patient (HIPAA §164.514(b)(2)(i) kinds: name, SSN, MRN, phone). */
export const SEEDED_IDENTIFIERS = ['Jonathan Quimby', '078-05-1120', 'MRN00482913', '(555) 867-5309'] as const;

/** Events that carry a seeded identifier somewhere; validation must refuse every one. */
export function eventsWithSeededIdentifiers(): unknown[] {
  const out: unknown[] = [];
  for (const value of SEEDED_IDENTIFIERS) {
    const base = testEvent(1) as unknown as Record<string, unknown>;
    out.push(
      { ...base, actor: { kind: 'user', id: value } },
      { ...base, resources: [{ type: 'patient', id: value }] },
      { ...base, reason: value },
      { ...base, details: { patientName: value } },
      { ...base, action: value },
      { ...base, note: value },
    );
  }
  // Request ids must be PHIGuard-made (req-N, UUID, PHIGuard id): every seeded shape is refused.
  for (const value of SEEDED_IDENTIFIERS) out.push({ ...(testEvent(2) as unknown as Record<string, unknown>), requestId: value });
  return out;
}
