import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeHl7Bytes, encodeHl7Bytes, sniffHl7Utf16 } from './hl7-bytes.ts';

const MESSAGE = 'MSH|^~\\&|LAB|HOSP|EHR|HOSP|20240314120000||ADT^A01|MSG1|P|2.5|||||||UNICODE UTF-16\rPID|1||4455667^^^HOSP^MR||Müller^Jürgen||19450312\r';
const be = (text: string): Buffer => Buffer.from(text, 'utf16le').swap16();

describe('HL7 file bytes', () => {
  it('reads UTF-16 (MSH-18 UNICODE UTF-16) with or without a byte order mark, either byte order, and writes it back as it was', () => {
    const cases: [Buffer, string][] = [
      [Buffer.from(`\uFEFF${MESSAGE}`, 'utf16le'), 'utf-16le'],
      [Buffer.from(MESSAGE, 'utf16le'), 'utf-16le'],
      [be(`\uFEFF${MESSAGE}`), 'utf-16be'],
      [be(MESSAGE), 'utf-16be'],
      [be(`\x0B${MESSAGE}\x1C\r`), 'utf-16be'], // MLLP framed
    ];
    for (const [bytes, charset] of cases) {
      const decoded = decodeHl7Bytes(bytes);
      expect(decoded.charset).toBe(charset);
      expect(decoded.text.replace(/^\uFEFF/, '')).toContain('PID|1||4455667^^^HOSP^MR||Müller^Jürgen');
      expect(encodeHl7Bytes(decoded.text, decoded.charset).equals(bytes)).toBe(true);
    }
  });

  it('reads UTF-8 and Latin-1 files as before (no NUL bytes: never taken for UTF-16)', () => {
    expect(decodeHl7Bytes(Buffer.from(MESSAGE, 'utf8')).charset).toBe('utf-8');
    expect(decodeHl7Bytes(Buffer.from(MESSAGE, 'latin1')).charset).toBe('latin1');
    expect(decodeHl7Bytes(Buffer.from(`\uFEFF${MESSAGE}`, 'utf8')).charset).toBe('utf-8');
  });

  it('property: any text round-trips through each charset it fits', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (body) => {
        const text = `MSH|^~\\&|A|B\rNTE|1||${body}\r`;
        for (const bytes of [Buffer.from(text, 'utf16le'), be(text), Buffer.from(text, 'utf8')]) {
          const decoded = decodeHl7Bytes(bytes);
          expect(decoded.text).toBe(text);
          expect(encodeHl7Bytes(decoded.text, decoded.charset).equals(bytes)).toBe(true);
        }
      }),
    );
  });

  it('sniffs nothing from too few bytes', () => {
    expect(sniffHl7Utf16(Buffer.from('M'))).toBeUndefined();
    expect(sniffHl7Utf16(Buffer.from([0xff, 0xfe]))).toBe('utf-16le');
  });
});
