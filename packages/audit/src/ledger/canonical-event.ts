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
