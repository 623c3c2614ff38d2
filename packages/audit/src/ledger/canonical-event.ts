// RFC 8785 (JCS) for the closed audit-event schema, in one pass: the same bytes as
// `canonicalJson` of @phiguard/core for every value the event schema admits (plain objects,
// arrays, strings, finite numbers, booleans; no cycles), without its per-member path strings.
// ledger/canonical-event.test.ts checks byte equality with `canonicalJson` as a property.
import { CanonicalJsonError } from '@phiguard/core';

const MAX_DEPTH = 16;

/**
 * The canonical JSON text of a validated audit event (RFC 8785 §3.2: members sorted by UTF-16
 * code units, ECMAScript number and string serialization, no whitespace). Throws
 * `CanonicalJsonError` for what the schema already refuses (non-finite numbers, lone surrogates,
 * non-plain objects, undefined members), naming no value.
 */
export function canonicalEventJson(value: unknown, depth = 0): string {
  // The event schema nests three levels deep; anything far deeper (a cycle) is not an event.
  if (depth > MAX_DEPTH) throw new CanonicalJsonError('cycle', 'value nests too deep for an audit event', { place: { path: '$' } });
  switch (typeof value) {
    case 'string':
      // §3.2.2.2: JSON.stringify's escaping; I-JSON (RFC 7493 §2.1) forbids lone surrogates.
      if (!value.isWellFormed()) throw new CanonicalJsonError('lone-surrogate', 'string holds a lone surrogate', { place: { path: '$' } });
      return JSON.stringify(value);
    case 'number':
      // §3.2.2.3: ECMAScript Number-to-String, which JSON.stringify applies to finite numbers.
      if (!Number.isFinite(value)) throw new CanonicalJsonError('non-finite-number', 'number is not finite', { place: { path: '$' } });
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalEventJson(value[i], depth + 1);
        return `${out}]`;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) throw new CanonicalJsonError('not-json', 'only plain objects are JSON', { place: { path: '$' } });
      const record = value as Record<string, unknown>;
      // §3.2.3: Array.prototype.sort without a comparator orders by UTF-16 code units.
      const keys = Object.keys(record).sort();
      let out = '{';
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i] as string;
        const member = record[key];
        if (member === undefined) throw new CanonicalJsonError('not-json', 'undefined is not JSON', { place: { path: '$' } });
        out += `${i === 0 ? '' : ','}${canonicalEventJson(key)}:${canonicalEventJson(member, depth + 1)}`;
      }
      return `${out}}`;
    }
    default:
      throw new CanonicalJsonError('not-json', `a ${typeof value} is not JSON`, { place: { path: '$' } });
  }
}

// The event's members in RFC 8785 §3.2.3 order (UTF-16 code units), and its nested shapes.
const EVENT_KEYS = ['action', 'actor', 'details', 'outcome', 'purpose', 'reason', 'requestId', 'resources', 'time', 'v'] as const;

/**
 * {@link canonicalEventJson} of an audit event, with the member order of the schema known in
 * advance (no key sorting but in `details`). An event holding a member or a nested shape this
 * function does not know takes the generic path, so the output is the same for any input.
 */
export function canonicalAuditEventJson(event: object): string {
  const record = event as Record<string, unknown>;
  if (Object.getPrototypeOf(event) !== Object.prototype) return canonicalEventJson(event);
  let out = '{';
  let count = 0;
  for (const key of EVENT_KEYS) {
    const value = record[key];
    if (value === undefined) continue;
    out += `${count === 0 ? '"' : ',"'}${key}":${key === 'actor' ? pairJson(value, 'id', 'kind') : key === 'resources' ? resourcesJson(value) : canonicalEventJson(value, 1)}`;
    count += 1;
  }
  // A member outside the schema (or one set to undefined): the generic path sorts or refuses it.
  return count === Object.keys(record).length ? `${out}}` : canonicalEventJson(event);
}

/** `{"a":…,"b":…}` of an object with exactly the string members a < b, else the generic path. */
function pairJson(value: unknown, a: string, b: string): string {
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    const record = value as Record<string, unknown>;
    const first = record[a];
    const second = record[b];
    if (typeof first === 'string' && typeof second === 'string' && Object.keys(record).length === 2) {
      return `{"${a}":${canonicalEventJson(first)},"${b}":${canonicalEventJson(second)}}`;
    }
  }
  return canonicalEventJson(value, 1);
}

function resourcesJson(value: unknown): string {
  if (!Array.isArray(value)) return canonicalEventJson(value, 1);
  let out = '[';
  for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + pairJson(value[i], 'id', 'type');
  return `${out}]`;
}
