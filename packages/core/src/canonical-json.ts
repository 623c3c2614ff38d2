import { BaseError } from './errors.ts';

/** A JSON value as RFC 8785 understands it (I-JSON, RFC 7493). */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

export type CanonicalJsonErrorCode = 'not-json' | 'non-finite-number' | 'lone-surrogate' | 'cycle';

export class CanonicalJsonError extends BaseError<CanonicalJsonErrorCode> {}

const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * RFC 8785 JSON Canonicalization Scheme: members sorted by UTF-16 code units (§3.2.3), numbers as
 * ECMAScript Number-to-String (§3.2.2.3), strings escaped as ECMAScript JSON.stringify (§3.2.2.2),
 * no whitespace. Refuses what I-JSON forbids (non-finite numbers, lone surrogates) and anything
 * that is not plain JSON (undefined, functions, bigint, class instances such as Date).
 */
export function canonicalJson(value: unknown): string {
  return serialize(value, '$', new Set());
}

/** {@link canonicalJson} as UTF-8 bytes: what gets hashed and signed. */
export function canonicalJsonBytes(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8');
}

function serialize(value: unknown, path: string, seen: Set<object>): string {
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError('non-finite-number', 'number is not finite', { place: { path } });
      return JSON.stringify(value);
    case 'string':
      return serializeString(value, path);
    case 'object':
      if (value === null) return 'null';
      return serializeContainer(value, path, seen);
    default:
      throw new CanonicalJsonError('not-json', `a ${typeof value} is not JSON`, { place: { path } });
  }
}

function serializeString(value: string, path: string): string {
  if (LONE_SURROGATE.test(value) && !value.isWellFormed()) {
    throw new CanonicalJsonError('lone-surrogate', 'string holds a lone surrogate', { place: { path } });
  }
  return JSON.stringify(value);
}

function serializeContainer(value: object, path: string, seen: Set<object>): string {
  if (seen.has(value)) throw new CanonicalJsonError('cycle', 'value refers to itself', { place: { path } });
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      const items = (value as readonly unknown[]).map((item, i) => serialize(item, `${path}[${String(i)}]`, seen));
      return `[${items.join(',')}]`;
    }
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new CanonicalJsonError('not-json', 'only plain objects are JSON', { place: { path } });
    }
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    const members: string[] = [];
    for (const key of keys) {
      const member = record[key];
      if (member === undefined) throw new CanonicalJsonError('not-json', 'undefined is not JSON', { place: { path: `${path}.${key}` } });
      members.push(`${serializeString(key, path)}:${serialize(member, `${path}.${key}`, seen)}`);
    }
    return `{${members.join(',')}}`;
  } finally {
    seen.delete(value);
  }
}
