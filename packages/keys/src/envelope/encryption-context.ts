import { isReferenceToken } from '@phiguard/audit';
import { KeysError } from '../keys-error.ts';

/**
 * Non-secret key/value pairs bound to a message as additional authenticated data
 * (docs/formats/envelope.md §3). Values are references only (ids, codes, hashes, pseudonyms):
 * never PHI, since the context is stored in clear in every header.
 */
export type EncryptionContext = Readonly<Record<string, string>>;

export const MAX_CONTEXT_PAIRS = 16;
export const MAX_CONTEXT_BYTES = 2048;
const CONTEXT_KEY = /^[a-z][a-z0-9._-]{0,63}$/;

/** Checks a context and encodes it: uint16 count, then sorted (uint16 len, key, uint16 len, value) pairs. */
export function encodeContext(context: EncryptionContext): Buffer {
  const entries = Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length > MAX_CONTEXT_PAIRS) {
    throw new KeysError('context-invalid', `encryption context has more than ${MAX_CONTEXT_PAIRS} pairs`);
  }
  const parts: Buffer[] = [u16(entries.length)];
  entries.forEach(([key, value], index) => {
    if (!CONTEXT_KEY.test(key)) throw new KeysError('context-invalid', 'encryption context key must be a lower-case code', { place: { index } });
    // Free text (spaces, names, dates, numbers) is refused: only reference tokens can pass.
    if (typeof value !== 'string' || value.length > 128 || !isReferenceToken(value)) {
      throw new KeysError('context-invalid', 'encryption context value must be an id, code, hash or pseudonym (never PHI)', {
        place: { field: key },
      });
    }
    const k = Buffer.from(key, 'utf8');
    const v = Buffer.from(value, 'utf8');
    parts.push(u16(k.length), k, u16(v.length), v);
  });
  const out = Buffer.concat(parts);
  if (out.length > MAX_CONTEXT_BYTES) throw new KeysError('context-invalid', `encryption context exceeds ${MAX_CONTEXT_BYTES} bytes`);
  return out;
}

/** Parses an encoded context; refuses unsorted or duplicate keys so each context has one encoding. */
export function decodeContext(bytes: Buffer): EncryptionContext {
  const fail = (): never => {
    throw new KeysError('bad-header', 'malformed encryption context', { place: { field: 'context' } });
  };
  if (bytes.length < 2 || bytes.length > MAX_CONTEXT_BYTES) return fail();
  const count = bytes.readUInt16BE(0);
  if (count > MAX_CONTEXT_PAIRS) return fail();
  let at = 2;
  const read = (): string => {
    if (at + 2 > bytes.length) return fail();
    const len = bytes.readUInt16BE(at);
    at += 2;
    if (at + len > bytes.length) return fail();
    const s = bytes.toString('utf8', at, at + len);
    at += len;
    return s;
  };
  const out: Record<string, string> = {};
  let previous: string | undefined;
  for (let i = 0; i < count; i++) {
    const key = read();
    const value = read();
    if (!CONTEXT_KEY.test(key) || (previous !== undefined && key <= previous)) return fail();
    out[key] = value;
    previous = key;
  }
  if (at !== bytes.length) return fail();
  return Object.freeze(out);
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}
