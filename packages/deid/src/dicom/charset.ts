import { isAscii } from 'node:buffer';
import { TextDecoder } from 'node:util';
/**
 * Specific Character Set (0008,0005) decoding and encoding, PS3.3 §C.12.1.1.2 and PS3.5 §6.1.
 * Decoding handles single-byte sets, UTF-8, GB18030/GBK and ISO 2022 code extensions
 * (escape sequences switching G0/G1 within a value). Encoding is exact for ASCII, UTF-8 and the
 * single-byte sets; for the others {@link encodeText} answers `undefined` and the caller
 * re-encodes the data set in UTF-8 (ISO_IR 192).
 */

/** The defined terms of (0008,0005), in order; `['']` for the default repertoire. */
export type DicomCharset = readonly string[];

export const DEFAULT_CHARSET: DicomCharset = [''];
export const UTF8_CHARSET: DicomCharset = ['ISO_IR 192'];

/** Defined term (without the `ISO 2022 ` / `ISO_IR ` prefix difference) → WHATWG encoding label. */
const SINGLE_BYTE: Readonly<Record<string, string>> = {
  'IR 100': 'latin1',
  'IR 101': 'iso-8859-2',
  'IR 109': 'iso-8859-3',
  'IR 110': 'iso-8859-4',
  'IR 144': 'iso-8859-5',
  'IR 127': 'iso-8859-6',
  'IR 126': 'iso-8859-7',
  'IR 138': 'iso-8859-8',
  'IR 148': 'iso-8859-9',
  'IR 203': 'iso-8859-15',
  'IR 166': 'windows-874',
  'IR 13': 'shift_jis',
};

/** ISO 2022 escape sequences of PS3.3 Table C.12-3/C.12-4 → how to decode the bytes that follow. */
const ESCAPES: Readonly<Record<string, string>> = {
  '(B': 'ascii',
  '(J': 'ascii', // JIS X 0201 Romaji
  ')I': 'shift_jis', // JIS X 0201 Katakana in G1
  $B: 'jis0208',
  '$(D': 'jis0212',
  '$)C': 'euc-kr', // KS X 1001 in G1
  '$)A': 'gbk', // GB 2312 in G1
  '-A': 'latin1',
  '-B': 'iso-8859-2',
  '-C': 'iso-8859-3',
  '-D': 'iso-8859-4',
  '-L': 'iso-8859-5',
  '-G': 'iso-8859-6',
  '-F': 'iso-8859-7',
  '-H': 'iso-8859-8',
  '-M': 'iso-8859-9',
  '-T': 'windows-874',
  '-b': 'iso-8859-15',
};

const decoders = new Map<string, TextDecoder>();

function decodeWith(label: string, bytes: Uint8Array): string {
  if (label === 'latin1' || label === 'ascii') return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  if (label === 'jis0208') {
    // JIS X 0208 in G0: same code points as EUC-JP with the high bit set (JIS X 0208 §).
    return decodeWith(
      'euc-jp',
      bytes.map((b) => (b >= 0x21 && b <= 0x7e ? b | 0x80 : b)),
    );
  }
  if (label === 'jis0212') {
    const out: number[] = [];
    for (let i = 0; i + 1 < bytes.length; i += 2) out.push(0x8f, (bytes[i] ?? 0) | 0x80, (bytes[i + 1] ?? 0) | 0x80);
    return decodeWith('euc-jp', Uint8Array.from(out));
  }
  // These decoders map bytes below 0x80 to the same code points (UTF-8, GB18030/GBK, EUC-KR/JP,
  // ISO-8859-x, windows-874): an ASCII value needs no decoder (most values). Not Shift_JIS: Node's
  // ICU table swaps 0x1A, 0x1C and 0x7F (the property test against the old decoder found it).
  if (label !== 'shift_jis' && isAscii(bytes)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  let d = decoders.get(label);
  if (d === undefined) {
    d = new TextDecoder(label);
    decoders.set(label, d);
  }
  return d.decode(bytes);
}

function stripTerm(term: string): string {
  return term
    .trim()
    .replace(/^ISO_IR /, 'IR ')
    .replace(/^ISO 2022 /, '');
}

/** The encoding label in force at the start of a value: the first term (PS3.3 §C.12.1.1.2). */
function initialLabel(charset: DicomCharset): string {
  const first = stripTerm(charset[0] ?? '');
  if (first === '' || first === 'IR 6') return 'ascii';
  if (first === 'IR 192') return 'utf-8';
  if (first === 'GB18030') return 'gb18030';
  if (first === 'GBK') return 'gbk';
  return SINGLE_BYTE[first] ?? (first === 'IR 87' ? 'jis0208' : first === 'IR 149' ? 'euc-kr' : first === 'IR 58' ? 'gbk' : 'latin1');
}

/** Parses the value of (0008,0005). */
export function parseCharset(value: string | undefined): DicomCharset {
  if (value === undefined) return DEFAULT_CHARSET;
  const terms = value.split('\\').map((t) => t.trim());
  return terms.length === 0 ? DEFAULT_CHARSET : terms;
}

function usesCodeExtensions(charset: DicomCharset): boolean {
  return charset.length > 1 || charset.some((t) => t.startsWith('ISO 2022'));
}

/** Decodes a text value; escape sequences switch the decoder until the next one (PS3.5 §6.1.2.5.3). */
export function decodeText(bytes: Uint8Array, charset: DicomCharset): string {
  const initial = initialLabel(charset);
  if (!usesCodeExtensions(charset) || !bytes.includes(0x1b)) return decodeWith(initial, bytes);
  let out = '';
  let label = initial;
  let start = 0;
  let i = 0;
  while (i < bytes.length) {
    if (bytes[i] !== 0x1b) {
      i++;
      continue;
    }
    out += decodeWith(label, bytes.subarray(start, i));
    let matched = false;
    for (const [seq, l] of Object.entries(ESCAPES)) {
      if (seq.split('').every((ch, k) => bytes[i + 1 + k] === ch.charCodeAt(0))) {
        label = l;
        i += 1 + seq.length;
        matched = true;
        break;
      }
    }
    if (!matched) i += 1;
    start = i;
  }
  return out + decodeWith(label, bytes.subarray(start));
}

const reverseTables = new Map<string, Map<string, number>>();

function reverseTable(label: string): Map<string, number> {
  let table = reverseTables.get(label);
  if (table === undefined) {
    table = new Map();
    for (let b = 0x80; b <= 0xff; b++) {
      const ch = decodeWith(label, Uint8Array.of(b));
      if (ch !== '\ufffd' && !table.has(ch)) table.set(ch, b);
    }
    reverseTables.set(label, table);
  }
  return table;
}

/**
 * Encodes text in the given character set, or `undefined` when it cannot be represented exactly
 * there without code extensions (the caller then switches the data set to ISO_IR 192).
 */
export function encodeText(text: string, charset: DicomCharset): Uint8Array | undefined {
  // The 7-bit default repertoire (PS3.5 §6.1.2.2) is valid in every character set.
  if (/^[\x00-\x7f]*$/.test(text) && !text.includes('\x1b')) return Buffer.from(text, 'latin1');
  const label = initialLabel(charset);
  if (label === 'utf-8') return Buffer.from(text, 'utf8');
  if (usesCodeExtensions(charset) || label === 'gb18030' || label === 'gbk' || label === 'shift_jis') return undefined;
  const table = reverseTable(label);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) out[i] = code;
    else {
      const b = table.get(text.charAt(i));
      if (b === undefined) return undefined;
      out[i] = b;
    }
  }
  return out;
}
