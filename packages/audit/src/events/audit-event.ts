import type { PurposeOfUse } from './purpose-of-use.ts';

/** Who did it. Ids only: never a name or an e-mail address. */
export interface AuditActor {
  readonly kind: 'user' | 'service' | 'node' | 'system';
  /** A PHIGuard id (`usr_…`, `svc_…`, `node_…`) or, for `system`, a component code such as `ledger`. */
  readonly id: string;
}

/** What it was done to: a PHIGuard id, a keyed pseudonym or a hash; never a data value. */
export interface AuditResource {
  /** Lower-case kind, e.g. `dataset`, `dataset-version`, `key`, `job`, `patient`, `blob`. */
  readonly type: string;
  readonly id: string;
}

export type AuditOutcome = 'success' | 'failure' | 'denied' | 'error';

/** Small scalar facts about an event (counts, sizes, versions, codes, ids, hashes). */
export type AuditDetails = Readonly<Record<string, string | number | boolean>>;

/**
 * What a caller records (HIPAA §164.312(b)): the schema is closed and has no free-text field, so
 * nothing read from data can be written into the ledger by accident. The ledger adds the time.
 */
export interface AuditEventInput {
  readonly actor: AuditActor;
  /** Dotted lower-case verb, e.g. `dataset.read`, `key.destroy`, `authz.decide`, `job.start`. */
  readonly action: string;
  readonly outcome: AuditOutcome;
  readonly resources?: readonly AuditResource[];
  readonly purpose?: PurposeOfUse;
  /** A lower-case code (`mfa-failed`, `policy-denied`, `expired`), never a sentence. */
  readonly reason?: string;
  /** Request id, to join the ledger with server logs. */
  readonly requestId?: string;
  readonly details?: AuditDetails;
}

/** An event as stored in a leaf: the input plus the schema version and the time it was accepted. */
export interface AuditEvent extends AuditEventInput {
  readonly v: 1;
  /** RFC 3339 UTC with milliseconds, from the ledger's Clock. */
  readonly time: string;
}
