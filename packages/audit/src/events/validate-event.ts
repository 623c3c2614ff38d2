import { BaseError } from '@phiguard/core';
import type { AuditDetails, AuditEvent, AuditEventInput, AuditResource } from './audit-event.ts';
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
  return freezeEvent(readAuditEvent(input, undefined));
}

/**
 * {@link validateAuditEvent} plus the ledger's `time` and `v: 1`: the event of a leaf, NOT yet
 * frozen (the caller serializes, then calls {@link freezeEvent}: V8 stringifies unfrozen objects
 * faster). Its members are created in RFC 8785 §3.2.3 order (UTF-16 code units, `details`
 * sorted), so `JSON.stringify` of it is its canonical JSON: every string passed a token pattern
 * of printable ASCII without `"` or `\` and every number is finite (ledger/audit-leaf.ts).
 */
export function readLeafEvent(input: unknown, time: string): AuditEvent {
  return readAuditEvent(input, time) as AuditEvent;
}

/** Freezes an event made by {@link readLeafEvent} and its nested members (facts are frozen). */
export function freezeEvent<E extends AuditEventInput>(event: E): E {
  Object.freeze(event.actor);
  if (event.details !== undefined) Object.freeze(event.details);
  if (event.resources !== undefined) {
    for (const resource of event.resources) Object.freeze(resource);
    Object.freeze(event.resources);
  }
  return Object.freeze(event);
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * One pass: each member is read once, checked, and copied (deep) into the result, so a getter
 * or a later change to the caller's object cannot put an unchecked value in a leaf.
 */
function readAuditEvent(input: unknown, time: string | undefined): AuditEventInput {
  if (!isRecord(input)) return fail('$', 'must be an object');
  for (const key of Object.keys(input)) if (!INPUT_FIELDS.has(key)) fail(`$.${key}`, 'is not part of the schema');

  const actor = input.actor;
  if (!isRecord(actor) || !hasOnly(actor, 'kind', 'id')) return fail('$.actor', 'must be {kind, id}');
  const kind = actor.kind;
  const id = actor.id;
  if (typeof kind !== 'string' || !ACTOR_KINDS.has(kind)) fail('$.actor.kind', 'must be user, service, node or system');
  if (typeof id !== 'string' || !(kind === 'system' ? CODE.test(id) : PHIGUARD_ID.test(id) || HASH.test(id))) {
    fail('$.actor.id', 'must be a PHIGuard id (or a component code for system actors)');
  }
  const action = input.action;
  if (typeof action !== 'string' || !ACTION.test(action)) fail('$.action', 'must be a dotted lower-case verb such as dataset.read');
  const outcome = input.outcome;
  if (typeof outcome !== 'string' || !OUTCOMES.has(outcome)) fail('$.outcome', 'must be success, failure, denied or error');
  const resources = input.resources === undefined ? undefined : readResources(input.resources);
  const purpose = input.purpose;
  if (purpose !== undefined && !isPurposeOfUse(purpose)) fail('$.purpose', 'must be an HL7 v3 PurposeOfUse code');
  const reason = input.reason;
  if (reason !== undefined && (typeof reason !== 'string' || !CODE.test(reason))) fail('$.reason', 'must be a lower-case code');
  const requestId = input.requestId;
  if (requestId !== undefined && (typeof requestId !== 'string' || !REQUEST_ID.test(requestId))) {
    fail('$.requestId', 'must be a PHIGuard request id (req-N, req_TOKEN, a UUID or a PHIGuard id)');
  }
  const details = input.details === undefined ? undefined : readDetails(input.details);

  // Members in RFC 8785 order: action, actor {id, kind}, details, outcome, purpose, reason,
  // requestId, resources, time, v.
  const out = { action, actor: { id, kind } } as Mutable<AuditEvent>;
  if (details !== undefined) out.details = details;
  out.outcome = outcome as AuditEvent['outcome'];
  if (purpose !== undefined) out.purpose = purpose;
  if (reason !== undefined) out.reason = reason;
  if (requestId !== undefined) out.requestId = requestId;
  if (resources !== undefined) out.resources = resources;
  if (time !== undefined) {
    out.time = time;
    out.v = 1;
  }
  return out;
}

function readResources(value: unknown): readonly AuditResource[] {
  if (!Array.isArray(value) || value.length > MAX_RESOURCES) fail('$.resources', `must be an array of at most ${MAX_RESOURCES}`);
  const list = value as unknown[];
  const out: AuditResource[] = [];
  for (let i = 0; i < list.length; i++) {
    const resource = list[i];
    if (!isRecord(resource) || !hasOnly(resource, 'type', 'id')) return fail(`$.resources[${i}]`, 'must be {type, id}');
    const type = resource.type;
    const id = resource.id;
    if (typeof type !== 'string' || !CODE.test(type)) fail(`$.resources[${i}].type`, 'must be a lower-case code');
    if (typeof id !== 'string' || !isReferenceToken(id) || id.length > 128) {
      fail(`$.resources[${i}].id`, 'must be a PHIGuard id, hash, keyed pseudonym or code');
    }
    out.push({ id, type });
  }
  return out;
}

function readDetails(value: unknown): AuditDetails {
  if (!isRecord(value)) return fail('$.details', 'must be an object');
  const keys = Object.keys(value);
  if (keys.length > MAX_DETAILS) fail('$.details', `must have at most ${MAX_DETAILS} members`);
  const values = new Array<string | number | boolean>(keys.length);
  let sorted = true;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    // The key is tested once; the path (naming a bad key as '?') is built only for an error.
    if (!DETAIL_KEY.test(key)) fail('$.details.?', 'has a key that is not a camelCase name');
    const member = value[key];
    const ok =
      typeof member === 'boolean' ||
      (typeof member === 'number' && Number.isFinite(member)) ||
      (typeof member === 'string' && member.length <= 128 && isReferenceToken(member));
    if (!ok) fail(`$.details.${key}`, 'must be a boolean, a finite number, or an id, hash, pseudonym or code');
    values[i] = member;
    if (i > 0 && (keys[i - 1] as string) > key) sorted = false;
  }
  const out: Record<string, string | number | boolean> = {};
  if (sorted) {
    for (let i = 0; i < keys.length; i++) out[keys[i] as string] = values[i] as string | number | boolean;
  } else {
    // RFC 8785 §3.2.3: by UTF-16 code units, which is what `<` on strings compares.
    const order = keys.map((_, i) => i).sort((a, b) => ((keys[a] as string) < (keys[b] as string) ? -1 : 1));
    for (const i of order) out[keys[i] as string] = values[i] as string | number | boolean;
  }
  return out;
}

function fail(path: string, what: string): never {
  throw new AuditEventError('invalid-event', `audit event field ${path} ${what}`, { place: { path } });
}

/** True when every own key of `record` is `a` or `b`. */
function hasOnly(record: Record<string, unknown>, a: string, b: string): boolean {
  for (const key of Object.keys(record)) if (key !== a && key !== b) return false;
  return true;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
}
