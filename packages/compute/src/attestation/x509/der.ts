import { ComputeError } from '../../compute-error.ts';

/** One DER TLV (ITU-T X.690 §8.1): tag byte, the value's bounds, and the whole element's bounds. */
export interface Tlv {
  readonly tag: number;
  /** Start of the value (after tag and length). */
  readonly start: number;
  /** End of the value (exclusive). */
  readonly end: number;
  /** Start of the element (its tag byte). */
  readonly headerStart: number;
  readonly bytes: Uint8Array;
}

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8: 0x0c,
  PRINTABLE: 0x13,
  IA5: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

function fail(what: string, index: number): never {
  throw new ComputeError('der-malformed', `malformed DER: ${what}`, { place: { index } });
}

/**
 * Reads the TLV at `offset`, never past `limit`. Only definite lengths in minimal form (X.690 §10.1),
 * single-byte tags, lengths up to 2^24. Throws {@link ComputeError} `der-malformed`.
 */
export function readTlv(bytes: Uint8Array, offset: number, limit: number = bytes.length): Tlv {
  if (limit > bytes.length || offset < 0 || offset + 2 > limit) fail('truncated header', offset);
  const tag = bytes[offset] as number;
  if ((tag & 0x1f) === 0x1f) fail('multi-byte tag', offset);
  let pos = offset + 1;
  const first = bytes[pos] as number;
  pos += 1;
  let length: number;
  if (first < 0x80) {
    length = first;
  } else {
    const count = first & 0x7f;
    if (count === 0 || count > 3) fail('unsupported length form', offset);
    if (pos + count > limit) fail('truncated length', offset);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (bytes[pos + i] as number);
    pos += count;
    if (length < 0x80 || (count > 1 && (bytes[pos - count] as number) === 0)) fail('non-minimal length', offset);
  }
  if (pos + length > limit) fail('value past end', offset);
  return { tag, start: pos, end: pos + length, headerStart: offset, bytes };
}

/** Reads exactly one TLV that fills `bytes`. */
export function readRoot(bytes: Uint8Array): Tlv {
  const tlv = readTlv(bytes, 0);
  if (tlv.end !== bytes.length) fail('trailing bytes', tlv.end);
  return tlv;
}

/** The children of a constructed element, in order, each bounded by the parent. */
export function children(parent: Tlv): Tlv[] {
  if ((parent.tag & 0x20) === 0) fail('children of a primitive', parent.headerStart);
  const out: Tlv[] = [];
  let pos = parent.start;
  while (pos < parent.end) {
    const child = readTlv(parent.bytes, pos, parent.end);
    out.push(child);
    pos = child.end;
  }
  return out;
}

/** Checks the tag and returns the TLV. */
export function expectTag(tlv: Tlv | undefined, tag: number, what: string): Tlv {
  if (tlv === undefined) return fail(`missing ${what}`, 0);
  if (tlv.tag !== tag) fail(`unexpected tag for ${what}`, tlv.headerStart);
  return tlv;
}

export function value(tlv: Tlv): Uint8Array {
  return tlv.bytes.subarray(tlv.start, tlv.end);
}

/** The whole element (tag, length and value). */
export function element(tlv: Tlv): Uint8Array {
  return tlv.bytes.subarray(tlv.headerStart, tlv.end);
}

/** Dotted OID text (X.690 §8.19). */
export function oidText(tlv: Tlv): string {
  const v = value(expectTag(tlv, TAG.OID, 'object identifier'));
  if (v.length === 0 || v.length > 64) fail('bad object identifier', tlv.headerStart);
  const arcs: number[] = [];
  let acc = 0;
  for (const [i, b] of v.entries()) {
    acc = acc * 128 + (b & 0x7f);
    if (acc > Number.MAX_SAFE_INTEGER / 256) fail('object identifier arc too large', tlv.headerStart);
    if ((b & 0x80) === 0) {
      if (arcs.length === 0) arcs.push(acc < 80 ? Math.floor(acc / 40) : 2, acc < 80 ? acc % 40 : acc - 80);
      else arcs.push(acc);
      acc = 0;
    } else if (i === v.length - 1) {
      fail('unterminated object identifier', tlv.headerStart);
    }
  }
  return arcs.join('.');
}

/** A non-negative INTEGER up to 2^48 as a number (DER two's complement, X.690 §8.3). */
export function smallUint(tlv: Tlv): number {
  const v = value(expectTag(tlv, TAG.INTEGER, 'integer'));
  if (v.length === 0 || v.length > 7 || ((v[0] as number) & 0x80) !== 0) fail('integer out of range', tlv.headerStart);
  let n = 0;
  for (const b of v) n = n * 256 + b;
  return n;
}

/** INTEGER value bytes as lower-case hex without leading zero octets (serial numbers). */
export function integerHex(tlv: Tlv): string {
  let v = value(expectTag(tlv, TAG.INTEGER, 'integer'));
  if (v.length === 0) fail('empty integer', tlv.headerStart);
  while (v.length > 1 && v[0] === 0) v = v.subarray(1);
  return Buffer.from(v).toString('hex');
}

/** BIT STRING contents with zero unused bits (signatures and keys). */
export function bitStringBytes(tlv: Tlv): Uint8Array {
  const v = value(expectTag(tlv, TAG.BIT_STRING, 'bit string'));
  if (v.length === 0 || v[0] !== 0) fail('bit string with unused bits', tlv.headerStart);
  return v.subarray(1);
}

/** UTCTime / GeneralizedTime in the DER forms RFC 5280 §4.1.2.5 allows (Z, seconds). */
export function derTime(tlv: Tlv): Date {
  const text = Buffer.from(value(tlv)).toString('latin1');
  let m: RegExpExecArray | null;
  if (tlv.tag === TAG.UTC_TIME && (m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)) !== null) {
    const yy = Number(m[1]);
    return utc(yy >= 50 ? 1900 + yy : 2000 + yy, m.slice(2));
  }
  if (tlv.tag === TAG.GENERALIZED_TIME && (m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)) !== null) {
    return utc(Number(m[1]), m.slice(2));
  }
  return fail('bad time', tlv.headerStart);
}

function utc(year: number, rest: string[]): Date {
  const [mo, d, h, mi, s] = rest.map(Number) as [number, number, number, number, number];
  return new Date(Date.UTC(year, mo - 1, d, h, mi, s));
}
