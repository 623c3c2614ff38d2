import { BaseError } from '@phiguard/core';
import type { AuditEventInput } from './audit-event.ts';
import { isPurposeOfUse } from './purpose-of-use.ts';

export type AuditEventErrorCode = 'invalid-event';

/** A malformed audit event. The message names the field, never its value. */
export class AuditEventError extends BaseError<AuditEventErrorCode> {}

// Values are short tokens without spaces: ids, codes, hashes, pseudonyms. Free text (a sentence,
// a name with a space, an address) cannot pass, by construction.
const PHIGUARD_ID = /^[a-z][a-z0-9]{0,15}_[0-9a-hjkmnp-tv-z]{26}$/;
const HASH = /^(sha256|hmac-sha256):[0-9a-f]{64}$/;
const PSEUDONYM = /^[A-Z][A-Z0-9]{0,7}-[0-9A-Z]{6,64}$/;
// Codes start with a letter, so dates, phone numbers and SSNs (which start with digits) cannot pass.
const CODE = /^[a-z][a-z0-9._:/-]{0,63}$/;
const ACTION = /^[a-z][a-z0-9-]{0,31}(\.[a-z][a-z0-9-]{0,31}){1,3}$/;
// Request ids are made by PHIGuard (`req-<n>`, `req_<token>`, a UUID or a PHIGuard id), never
// copied from a client unchecked, so an SSN- or MRN-shaped value cannot pass.
const REQUEST_ID =
  /^(req[-_][A-Za-z0-9]{1,40}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[a-z][a-z0-9]{0,15}_[0-9a-hjkmnp-tv-z]{26})$/;
const DETAIL_KEY = /^[a-z][a-zA-Z0-9_]{0,47}$/;
const MAX_RESOURCES = 32;
const MAX_DETAILS = 32;
const ACTOR_KINDS = new Set(['user', 'service', 'node', 'system']);
const OUTCOMES = new Set(['success', 'failure', 'denied', 'error']);
const INPUT_FIELDS = new Set(['actor', 'action', 'outcome', 'resources', 'purpose', 'reason', 'requestId', 'details']);

/** True for a value safe to log as a reference: a PHIGuard id, a hash, a keyed pseudonym or a code. */
export function isReferenceToken(value: string): boolean {
  // Codes first: most detail values are codes (policy ids, decisions), and the test is the same OR.
  return (value.length <= 64 && CODE.test(value)) || PHIGUARD_ID.test(value) || HASH.test(value) || PSEUDONYM.test(value);
}

/**
 * Checks an event against the closed schema and returns it (frozen) or throws
 * {@link AuditEventError} naming the first bad field. Unknown fields are refused.
 */
export function validateAuditEvent(input: unknown): AuditEventInput {
  const fail = (path: string, what: string): never => {
    throw new AuditEventError('invalid-event', `audit event field ${path} ${what}`, { place: { path } });
  };
  if (!isRecord(input)) return fail('$', 'must be an object');
  for (const key of Object.keys(input)) if (!INPUT_FIELDS.has(key)) fail(`$.${key}`, 'is not part of the schema');

  const actor = input.actor;
  if (!isRecord(actor) || Object.keys(actor).some((k) => k !== 'kind' && k !== 'id')) return fail('$.actor', 'must be {kind, id}');
  if (typeof actor.kind !== 'string' || !ACTOR_KINDS.has(actor.kind)) fail('$.actor.kind', 'must be user, service, node or system');
  if (
    typeof actor.id !== 'string' ||
    !(actor.kind === 'system' ? CODE.test(actor.id) : PHIGUARD_ID.test(actor.id) || HASH.test(actor.id))
  ) {
    fail('$.actor.id', 'must be a PHIGuard id (or a component code for system actors)');
  }
  if (typeof input.action !== 'string' || !ACTION.test(input.action))
    fail('$.action', 'must be a dotted lower-case verb such as dataset.read');
  if (typeof input.outcome !== 'string' || !OUTCOMES.has(input.outcome)) fail('$.outcome', 'must be success, failure, denied or error');

  if (input.resources !== undefined) {
    if (!Array.isArray(input.resources) || input.resources.length > MAX_RESOURCES)
      fail('$.resources', `must be an array of at most ${MAX_RESOURCES}`);
    (input.resources as unknown[]).forEach((resource, i) => {
      const path = `$.resources[${i}]`;
      if (!isRecord(resource) || Object.keys(resource).some((k) => k !== 'type' && k !== 'id')) return fail(path, 'must be {type, id}');
      if (typeof resource.type !== 'string' || !CODE.test(resource.type)) fail(`${path}.type`, 'must be a lower-case code');
      if (typeof resource.id !== 'string' || !isReferenceToken(resource.id) || resource.id.length > 128) {
        fail(`${path}.id`, 'must be a PHIGuard id, hash, keyed pseudonym or code');
      }
      return undefined;
    });
  }
  if (input.purpose !== undefined && !isPurposeOfUse(input.purpose)) fail('$.purpose', 'must be an HL7 v3 PurposeOfUse code');
  if (input.reason !== undefined && (typeof input.reason !== 'string' || !CODE.test(input.reason)))
    fail('$.reason', 'must be a lower-case code');
  if (input.requestId !== undefined && (typeof input.requestId !== 'string' || !REQUEST_ID.test(input.requestId))) {
    fail('$.requestId', 'must be a PHIGuard request id (req-N, req_TOKEN, a UUID or a PHIGuard id)');
  }
  if (input.details !== undefined) {
    if (!isRecord(input.details)) return fail('$.details', 'must be an object');
    const entries = Object.entries(input.details);
    if (entries.length > MAX_DETAILS) fail('$.details', `must have at most ${MAX_DETAILS} members`);
    for (const [key, value] of entries) {
      // The key is tested once; the path (naming a bad key as '?') is built only for an error.
      if (!DETAIL_KEY.test(key)) fail('$.details.?', 'has a key that is not a camelCase name');
      const ok =
        typeof value === 'boolean' ||
        (typeof value === 'number' && Number.isFinite(value)) ||
        (typeof value === 'string' && value.length <= 128 && isReferenceToken(value));
      if (!ok) fail(`$.details.${key}`, 'must be a boolean, a finite number, or an id, hash, pseudonym or code');
    }
  }
  return copyFrozen(input as unknown as AuditEventInput);
}

/**
 * A deep, frozen copy of a checked event, field by field (the schema is closed, so this is
 * complete): later changes to the caller's object cannot reach the leaf. Cheaper than
 * structuredClone on the ledger's hot path.
 */
function copyFrozen(input: AuditEventInput): AuditEventInput {
  const out: { -readonly [K in keyof AuditEventInput]: AuditEventInput[K] } = {
    actor: Object.freeze({ kind: input.actor.kind, id: input.actor.id }),
    action: input.action,
    outcome: input.outcome,
  };
  if (input.resources !== undefined) out.resources = Object.freeze(input.resources.map((r) => Object.freeze({ type: r.type, id: r.id })));
  if (input.purpose !== undefined) out.purpose = input.purpose;
  if (input.reason !== undefined) out.reason = input.reason;
  if (input.requestId !== undefined) out.requestId = input.requestId;
  if (input.details !== undefined) out.details = Object.freeze({ ...input.details });
  return Object.freeze(out);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
}
