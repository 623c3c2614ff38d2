import { TextDecoder } from 'node:util';
import { DeidError } from '../context/deid-error.ts';

/**
 * The encodings a note arrives in: UTF-8, UTF-16 (Windows tools write it: PowerShell's
 * `Out-File`, Notepad's "Unicode") and Windows-1252 (older exports; ISO 8859-1 and US-ASCII read
 * the same, as WHATWG Encoding §4.2 maps those labels to it).
 */
export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export interface DecodedText {
  /** The text without its byte-order mark. */
  readonly text: string;
  readonly encoding: TextEncodingName;
  /** Whether the bytes began with a byte-order mark (written back by {@link encodeTextBytes}). */
  readonly bom: boolean;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const UTF16LE = new TextDecoder('utf-16le', { ignoreBOM: true });
const UTF16BE = new TextDecoder('utf-16be', { ignoreBOM: true });
const CP1252 = new TextDecoder('windows-1252');
/** Bytes looked at to recognize UTF-16 without a byte-order mark. */
const SNIFF_BYTES = 4096;

/** `charset` labels of a MIME type (RFC 2046) this reader knows; others are refused. */
const LABELS: Readonly<Record<string, TextEncodingName | 'utf-16'>> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'utf-16': 'utf-16',
  'utf-16le': 'utf-16le',
  'utf-16be': 'utf-16be',
  'windows-1252': 'windows-1252',
  cp1252: 'windows-1252',
  'iso-8859-1': 'windows-1252',
  'iso8859-1': 'windows-1252',
  latin1: 'windows-1252',
  'us-ascii': 'windows-1252',
  ascii: 'windows-1252',
};

/**
 * Decodes the bytes of a note. A byte-order mark decides first; then a declared charset (a MIME
 * type's `charset=`, e.g. a FHIR Attachment's contentType); then UTF-16 is recognized by its zero
 * bytes (ASCII text in UTF-16 is also valid UTF-8, with a NUL after every letter, and no detector
 * would see a name in it); then UTF-8 if the bytes are valid UTF-8, else Windows-1252 (every byte
 * is a character, so no byte is lost). Throws a DeidError for a declared charset it does not know
 * and for bytes declared UTF-8 (by a byte-order mark or the charset) that are not.
 */
export function decodeTextBytes(bytes: Uint8Array, declared?: string): DecodedText {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { text: strictUtf8(bytes.subarray(3)), encoding: 'utf-8', bom: true };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: UTF16LE.decode(bytes.subarray(2)), encoding: 'utf-16le', bom: true };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: UTF16BE.decode(bytes.subarray(2)), encoding: 'utf-16be', bom: true };
  const label = declared === undefined ? undefined : LABELS[declared.trim().toLowerCase()];
  if (declared !== undefined && label === undefined) throw new DeidError('text-bad-encoding', 'unknown character set', { place: { field: 'charset' } });
  // RFC 2781 §4.3: UTF-16 without a byte-order mark is big-endian, unless the bytes say otherwise.
  const encoding = label === 'utf-16' ? (sniffUtf16(bytes) ?? 'utf-16be') : (label ?? sniffUtf16(bytes));
  if (encoding === 'utf-8') return { text: strictUtf8(bytes), encoding, bom: false };
  if (encoding !== undefined) return { text: decoderOf(encoding).decode(bytes), encoding, bom: false };
  // Undeclared: UTF-8 when valid (decoded once), else Windows-1252.
  const text = utf8OrUndefined(bytes);
  return text === undefined ? { text: CP1252.decode(bytes), encoding: 'windows-1252', bom: false } : { text, encoding: 'utf-8', bom: false };
}

/** The inverse of {@link decodeTextBytes}: characters Windows-1252 cannot hold become `?`. */
export function encodeTextBytes(text: string, encoding: TextEncodingName, bom: boolean): Buffer {
  switch (encoding) {
    case 'utf-8':
      return Buffer.from(bom ? `\uFEFF${text}` : text, 'utf8');
    case 'utf-16le':
      return Buffer.from(bom ? `\uFEFF${text}` : text, 'utf16le');
    case 'utf-16be':
      return Buffer.from(bom ? `\uFEFF${text}` : text, 'utf16le').swap16();
    case 'windows-1252':
      return encodeCp1252(text);
  }
}

function decoderOf(encoding: Exclude<TextEncodingName, 'utf-8'>): TextDecoder {
  if (encoding === 'utf-16le') return UTF16LE;
  if (encoding === 'utf-16be') return UTF16BE;
  return CP1252;
}

function utf8OrUndefined(bytes: Uint8Array): string | undefined {
  try {
    return UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** UTF-8 the bytes say they are (a byte-order mark, a declared charset): invalid bytes are an error, not guessed at. */
function strictUtf8(bytes: Uint8Array): string {
  const text = utf8OrUndefined(bytes);
  if (text === undefined) throw new DeidError('text-bad-encoding', 'the text is declared UTF-8 but is not valid UTF-8', { place: { field: 'charset' } });
  return text;
}

/**
 * UTF-16 by its zero bytes: text in Latin scripts has a zero high byte in most code units, so
 * zeros gather at odd offsets (little-endian) or even ones (big-endian). Text in UTF-8 or 1252
 * has no zero bytes at all.
 */
function sniffUtf16(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  const n = Math.min(bytes.length, SNIFF_BYTES) & ~1;
  if (n < 4) return undefined;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) evenZeros++;
    if (bytes[i + 1] === 0) oddZeros++;
  }
  const units = n / 2;
  if (oddZeros >= units * 0.3 && evenZeros <= units * 0.05) return 'utf-16le';
  if (evenZeros >= units * 0.3 && oddZeros <= units * 0.05) return 'utf-16be';
  return undefined;
}

/** Windows-1252's 0x80–0x9F row (WHATWG index-windows-1252): the characters that differ from Latin-1. */
const CP1252_HIGH = new Map<number, number>();
for (let b = 0x80; b <= 0x9f; b++) {
  const c = CP1252.decode(new Uint8Array([b])).charCodeAt(0);
  if (c !== b) CP1252_HIGH.set(c, b);
}

function encodeCp1252(text: string): Buffer {
  const out = Buffer.allocUnsafe(text.length);
  let at = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0x3f;
    if (c < 0x80 || (c >= 0xa0 && c <= 0xff) || isUndefinedCp1252(c)) out[at++] = c;
    else out[at++] = CP1252_HIGH.get(c) ?? 0x3f;
  }
  return out.subarray(0, at);
}

/** The five bytes WHATWG's Windows-1252 decodes to the C1 control of the same value (0x81, 0x8D, 0x8F, 0x90, 0x9D). */
function isUndefinedCp1252(c: number): boolean {
  return c === 0x81 || c === 0x8d || c === 0x8f || c === 0x90 || c === 0x9d;
}
