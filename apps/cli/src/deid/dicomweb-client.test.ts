import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DicomWebError, parseMultipartRelated } from './dicomweb-client.ts';

function multipart(boundary: string, parts: readonly Uint8Array[]): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\nContent-Length: ${String(p.length)}\r\n\r\n`, 'latin1'), Buffer.from(p), Buffer.from('\r\n', 'latin1'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`, 'latin1'));
  return Buffer.concat(chunks);
}

describe('parseMultipartRelated (RFC 2046 §5.1.1, RFC 2387)', () => {
  it('returns every part body exactly, whatever bytes they hold (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 5 }), (parts) => {
        const boundary = 'b-7f3e2a91c0d4';
        const got = parseMultipartRelated(multipart(boundary, parts), `multipart/related; type="application/dicom"; boundary=${boundary}`);
        expect(got.map((p) => Buffer.from(p).toString('hex'))).toEqual(parts.map((p) => Buffer.from(p).toString('hex')));
      }),
      { numRuns: 200 },
    );
  });

  it('accepts a quoted boundary and a preamble', () => {
    const body = Buffer.concat([Buffer.from('preamble\r\n'), multipart('q', [Buffer.from('DICM')])]);
    expect(parseMultipartRelated(body, 'multipart/related; boundary="q"; type="application/dicom"').map((p) => Buffer.from(p).toString())).toEqual(['DICM']);
  });

  it('rejects other content types and unterminated parts with a typed error', () => {
    expect(() => parseMultipartRelated(Buffer.from('x'), 'application/json')).toThrow(DicomWebError);
    const cut = multipart('z', [Buffer.from('abc')]).subarray(0, 60);
    expect(() => parseMultipartRelated(cut, 'multipart/related; boundary=z')).toThrow(DicomWebError);
  });
});
