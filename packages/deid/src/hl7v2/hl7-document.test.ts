import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeHl7Bytes, encodeHl7Bytes } from './hl7-bytes.ts';
import { parseHl7Document, serializeHl7Document } from './hl7-document.ts';
import { DEFAULT_ENCODING, readEncoding } from './hl7-encoding.ts';
import { decodeHl7Text, encodeHl7Text } from './hl7-escape.ts';
import { parseField, segmentFields, serializeField, joinSegmentFields } from './hl7-structure.ts';
import { corpusHl7Files } from './hl7-test-corpus.ts';
import { encodingArb, messageArb, valueArb } from './hl7-arbitraries.ts';
import { DeidError } from '../context/deid-error.ts';

describe('HL7 v2 parser and serializer', () => {
  it('gives back every corpus file byte for byte, down to fields and subcomponents', () => {
    const files = corpusHl7Files();
    expect(files.length).toBeGreaterThan(100);
    let messages = 0;
    for (const file of files) {
      const bytes = readFileSync(file);
      const { text, charset } = decodeHl7Bytes(bytes);
      const doc = parseHl7Document(text);
      expect(encodeHl7Bytes(serializeHl7Document(doc), charset).equals(bytes), file).toBe(true);
      expect(doc.orphans, file).toEqual([]);
      for (const m of doc.messages) {
        expect(m.ok, file).toBe(true);
        if (!m.ok) continue;
        messages += 1;
        for (let i = m.start; i < m.end; i++) {
          const line = doc.lines[i]?.text ?? '';
          const fields = segmentFields(line, m.encoding);
          expect(joinSegmentFields(fields, m.encoding)).toBe(line);
          for (const f of fields.slice(3)) expect(serializeField(parseField(f, m.encoding), m.encoding)).toBe(f);
        }
      }
    }
    expect(messages).toBeGreaterThan(100);
  });

  it('reads BOMs, CR/LF/CRLF, MLLP framing and batch envelopes, losslessly', () => {
    const text =
      '\uFEFFFHS|^~\\&|A\r\nBHS|^~\\&|A\r\n\x0BMSH|^~\\&|A|B|C|D|2024||ADT^A01|1|P|2.5\rPID|1||42^^^H^MR\r\x1C\r' +
      '\x0BMSH|^~\\&|A|B|C|D|2024||ADT^A01|2|P|2.5\nPID|1||43^^^H^MR\n\x1C\rBTS|2\nFTS|1';
    const doc = parseHl7Document(text);
    expect(serializeHl7Document(doc)).toBe(text);
    expect(doc.messages.map((m) => [m.ok, m.start, m.end])).toEqual([
      [true, 2, 4],
      [true, 5, 7],
    ]);
    expect(doc.lines[0]?.lead).toBe('\uFEFF');
    expect(doc.lines[2]?.lead).toBe('\x0B');
    expect(doc.envelope).toEqual([0, 1, 4, 7, 8, 9]);
  });

  it('refuses a bad MSH-2 or a segment without MSH with typed errors naming the place', () => {
    const doc = parseHl7Document('PID|1||42\rMSH|^~|A\rPID|1\rMSH|^~\\&|A\rPID|1\rpid|x\rMSH|^^\\&|A\r');
    expect(doc.orphans[0]?.error.code).toBe('hl7-no-msh');
    expect(doc.orphans[0]?.error.place).toMatchObject({ line: 1, segment: 'PID' });
    const [bad, badSegment, repeated] = doc.messages;
    expect(bad?.ok === false && bad.error.code).toBe('hl7-bad-encoding');
    expect(bad?.ok === false && bad.error.place).toMatchObject({ line: 2, segment: 'MSH', field: '2', index: 1 });
    expect(badSegment?.ok === false && badSegment.error.place).toMatchObject({ line: 6, index: 2 });
    expect(repeated?.ok === false && repeated.error.code).toBe('hl7-bad-encoding');
    expect(() => readEncoding('MSH')).toThrow(DeidError);
    expect(() => readEncoding('MSHA^~\\&')).toThrow(DeidError);
  });

  it('round-trips random messages with random encoding characters and terminators', () => {
    fc.assert(
      fc.property(messageArb, fc.boolean(), fc.boolean(), (m, bom, mllp) => {
        const framed = `${bom ? '\uFEFF' : ''}${mllp ? '\x0B' : ''}${m.text}${mllp ? '\x1C\r' : ''}`;
        const doc = parseHl7Document(framed);
        expect(serializeHl7Document(doc)).toBe(framed);
        const [span] = doc.messages;
        expect(doc.messages).toHaveLength(1);
        if (span?.ok !== true) throw new Error('message not parsed');
        expect(span.encoding).toEqual(m.enc);
        m.segments.forEach((seg, i) => {
          const fields = segmentFields(doc.lines[span.start + 1 + i]?.text ?? '', m.enc);
          expect(fields[0]).toBe(seg.id);
          expect(fields.slice(1).map((f) => parseField(f, m.enc))).toEqual(seg.fields);
        });
      }),
      { numRuns: 200 },
    );
  });
});

describe('HL7 escape sequences (HL7 v2.8 Ch. 2 §2.7)', () => {
  it('decodes delimiters, line breaks and hex; keeps \\C..\\ and \\M..\\ verbatim', () => {
    const enc = DEFAULT_ENCODING;
    const raw = 'a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f\\.br\\g\\X41\\\\H\\bold\\N\\ \\C2842\\ \\M248441\\';
    const { text, opaque } = decodeHl7Text(raw, enc);
    expect(text).toBe('a|b^c&d~e\\f\ngAbold \uFFFC \uFFFC');
    expect(opaque).toEqual(['\\C2842\\', '\\M248441\\']);
    expect(encodeHl7Text(text, enc, opaque)).toBe('a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f\\.br\\gAbold \\C2842\\ \\M248441\\');
  });

  it('encodes any text so that it decodes back, under any encoding characters', () => {
    fc.assert(
      fc.property(encodingArb, fc.array(fc.oneof(valueArb, fc.constantFrom('|', '^', '~', '\\', '&', '#', '!', '@', '\n')), { maxLength: 10 }), (enc, parts) => {
        const text = parts.join('');
        const encoded = encodeHl7Text(text, enc);
        for (const d of [enc.field, enc.component, enc.repetition, enc.subcomponent]) {
          expect(encoded.replaceAll(new RegExp(`\\${enc.escape}[^\\${enc.escape}]*\\${enc.escape}`, 'g'), '')).not.toContain(d);
        }
        expect(decodeHl7Text(encoded, enc).text).toBe(text);
      }),
      { numRuns: 200 },
    );
  });
});
