import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeidError } from '../context/deid-error.ts';
import { decodeTextBytes, encodeTextBytes, type TextEncodingName } from './text-bytes.ts';

const NOTE = 'Patient: José Muñoz-García, DOB 04/05/1961 — call 617-555-0100 “today”.';

describe('note bytes', () => {
  it.each([
    ['UTF-8', Buffer.from(NOTE, 'utf8'), 'utf-8', false],
    ['UTF-8 with a BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(NOTE, 'utf8')]), 'utf-8', true],
    ['UTF-16LE with a BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(NOTE, 'utf16le')]), 'utf-16le', true],
    ['UTF-16BE with a BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(NOTE, 'utf16le').swap16()]), 'utf-16be', true],
    ['UTF-16LE without a BOM', Buffer.from(NOTE, 'utf16le'), 'utf-16le', false],
    ['UTF-16BE without a BOM', Buffer.from(NOTE, 'utf16le').swap16(), 'utf-16be', false],
    ['Windows-1252', encodeTextBytes(NOTE, 'windows-1252', false), 'windows-1252', false],
  ] as const)('reads %s and writes it back byte for byte', (_name, bytes, encoding, bom) => {
    const decoded = decodeTextBytes(bytes);
    expect(decoded).toEqual({ text: NOTE, encoding, bom });
    expect(encodeTextBytes(decoded.text, decoded.encoding, decoded.bom).equals(bytes)).toBe(true);
  });

  it('takes a declared charset, and refuses one it does not know', () => {
    expect(decodeTextBytes(Buffer.from('Jos\xe9', 'latin1'), 'ISO-8859-1').text).toBe('José');
    expect(decodeTextBytes(Buffer.from('Jos', 'utf16le').swap16(), 'utf-16').text).toBe('Jos');
    expect(() => decodeTextBytes(Buffer.from('x'), 'x-klingon')).toThrow(DeidError);
    expect(() => decodeTextBytes(Buffer.from([0xef, 0xbb, 0xbf, 0xe9]))).toThrow(DeidError);
    expect(() => decodeTextBytes(Buffer.from([0x4a, 0xe9]), 'utf-8')).toThrow(DeidError);
  });

  it('writes ? for what Windows-1252 cannot hold', () => {
    expect(encodeTextBytes('Zoë → 李', 'windows-1252', false).toString('latin1')).toBe('Zo\xeb ? ?');
  });

  it('property: any text written in any encoding reads back as the same text and encoding', () => {
    const encodings: TextEncodingName[] = ['utf-8', 'utf-16le', 'utf-16be'];
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }), fc.constantFrom(...encodings), (text, encoding) => {
        const decoded = decodeTextBytes(encodeTextBytes(text, encoding, true));
        expect(decoded).toEqual({ text, encoding, bom: true });
      }),
      { numRuns: 500 },
    );
  });

  it('property: any bytes decode (nothing is lost: encoding the text again gives them back when they are not UTF-16 or UTF-8)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const decoded = decodeTextBytes(bytes);
        if (decoded.encoding === 'windows-1252') expect(encodeTextBytes(decoded.text, 'windows-1252', false).equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
