import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builtinProfile, KEEP_OUTPUT_NAMES, createPatientContextFactory, deidKeyFromSecret } from '@phiguard/deid';
import type { FileOutcome } from './batch-runner.ts';
import { hl7v2Processor } from './hl7v2-processor.ts';
import { hl7CharsetOf, hl7MessageGroups, hl7Pieces, hl7PiecesLazy } from './hl7v2-stream.ts';
import type { StreamOutcome } from './streamed-file.ts';

// Streaming an HL7 v2 file message group by message group (constant memory) must give exactly the
// whole-file result: same bytes, counts, problems (lines and message numbers continue across
// groups) for every file of the HL7 corpora, read in small chunks so groups straddle them.
const corpusRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../shared/corpus');

function files(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.(?:hl7|hl7v2|msg|txt|er7)$/i.test(name) ? [p] : [];
  });
}

function setup(): Parameters<typeof hl7v2Processor>[0] {
  const key = deidKeyFromSecret(new Uint8Array(32).fill(3));
  return { key, factory: createPatientContextFactory(key), profile: builtinProfile('safe-harbor'), namer: KEEP_OUTPUT_NAMES };
}

function chunked(bytes: Uint8Array, size: number): () => Iterable<Uint8Array> {
  return function* () {
    for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
  };
}

function summary(o: FileOutcome | StreamOutcome, output: Uint8Array): unknown {
  if (!o.ok) return { failed: o.problem };
  return { output: Buffer.from(output).toString('base64'), records: o.records, tally: [...o.tally.entries()].map((e) => `${e.category} ${e.rule} ${String(e.n)}`).sort(), problems: o.problems };
}

describe('HL7 v2 streaming in the CLI', () => {
  const all = readdirSync(corpusRoot).filter((d) => d.startsWith('hl7v2-')).flatMap((d) => files(path.join(corpusRoot, d)));

  it(`gives the whole-file result for every corpus file (${String(all.length)})`, async () => {
    expect(all.length).toBeGreaterThan(50);
    const processor = hl7v2Processor(setup(), { referenceDate: '2026-01-01', streamBytes: 0 });
    const stream = processor.stream;
    if (stream === undefined) throw new Error('the HL7 processor streams');
    for (const [i, file] of all.entries()) {
      const bytes = readFileSync(file);
      const whole = await processor.process(bytes, path.basename(file));
      const parts: Buffer[] = [];
      const streamed = await stream.process({ bytes: bytes.length, chunks: chunked(bytes, 7 + (i % 5) * 61) }, path.basename(file), {
        write: (piece) => parts.push(Buffer.from(piece)),
      });
      expect(summary(streamed, Buffer.concat(parts)), file).toEqual(summary(whole, whole.ok ? whole.output : new Uint8Array()));
    }
  });

  it('reads UTF-16 files (MSH-18 UNICODE UTF-16), whole or streamed in any chunks, and writes them back in UTF-16', async () => {
    const processor = hl7v2Processor(setup(), { referenceDate: '2026-01-01', streamBytes: 0 });
    const stream = processor.stream;
    if (stream === undefined) throw new Error('the HL7 processor streams');
    const text = readFileSync(path.join(corpusRoot, 'hl7v2-msft-fhir-converter/ADT-A01-01.hl7'), 'utf8');
    const secrets = ['EVERYMAN', 'ADAM'];
    for (const secret of secrets) expect(text).toContain(secret);
    const be = (t: string): Buffer => Buffer.from(t, 'utf16le').swap16();
    for (const [bytes, decode] of [
      [Buffer.from(`\uFEFF${text}`, 'utf16le'), (b: Buffer) => b.toString('utf16le')],
      [Buffer.from(text, 'utf16le'), (b: Buffer) => b.toString('utf16le')],
      [be(text), (b: Buffer) => Buffer.from(b).swap16().toString('utf16le')],
    ] as const) {
      const whole = await processor.process(bytes, 'adt.hl7');
      if (!whole.ok) throw new Error(`failed: ${whole.problem.code}`);
      const out = decode(Buffer.from(whole.output));
      expect(out.replace(/^\uFEFF/, '').startsWith('MSH|^~\\&|')).toBe(true);
      expect(out.startsWith('\uFEFF')).toBe(bytes[0] === 0xff);
      for (const secret of secrets) expect(out).not.toContain(secret);
      for (const size of [1, 3, 64]) {
        const parts: Buffer[] = [];
        const streamed = await stream.process({ bytes: bytes.length, chunks: chunked(bytes, size) }, 'adt.hl7', { write: (piece) => parts.push(Buffer.from(piece)) });
        expect(summary(streamed, Buffer.concat(parts))).toEqual(summary(whole, whole.output));
      }
    }
  });

  it('accepts only files above the size limit', () => {
    const processor = hl7v2Processor(setup(), { referenceDate: '2026-01-01', streamBytes: 1000 });
    expect(processor.stream?.accepts('a.hl7', 1001)).toBe(true);
    expect(processor.stream?.accepts('a.hl7', 1000)).toBe(false);
    expect(processor.stream?.accepts('a.json', 5000)).toBe(false);
  });

  it('property: groups concatenate to the input and each holds at most one message start', () => {
    const segment = fc.constantFrom('MSH|^~\\&|A|B', 'PID|1||123', 'OBX|1|TX|x', 'FHS|^~\\&', 'BHS|^~\\&', 'BTS|1', 'FTS|1', '\x0BMSH|^~\\&|X', 'NTE|1||MSH inside', '\x1C');
    fc.assert(
      fc.property(fc.array(fc.tuple(segment, fc.constantFrom('\r', '\n', '\r\n')), { maxLength: 30 }), fc.integer({ min: 1, max: 9 }), (segs, size) => {
        const text = segs.map(([s, t]) => s + t).join('');
        const pieces: string[] = [];
        for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
        const groups = [...hl7MessageGroups(pieces)];
        expect(groups.join('')).toBe(text);
        for (const g of groups.slice(1)) expect(g.startsWith('MSH') || g.startsWith('\x0BMSH')).toBe(true);
      }),
    );
  });

  it('property: lazy charset pieces give the text of the charset pass, and ask for it only past ASCII', () => {
    // ASCII runs, UTF-8 letters, lone Latin-1 bytes and a BOM, cut anywhere.
    const part = fc.oneof(fc.constantFrom('MSH|^~\\&|A\r', 'PID|1||x\r', 'abc'), fc.constantFrom('é', 'Ünal', '日本', '\uFEFF'), fc.constantFrom('\xE9', '\xFC'));
    fc.assert(
      fc.property(fc.array(part, { maxLength: 20 }), fc.integer({ min: 1, max: 9 }), (parts, size) => {
        const bytes = Buffer.concat(parts.map((p) => (p.length === 1 && p.charCodeAt(0) > 0x7F && p.charCodeAt(0) < 0x100 ? Buffer.from(p, 'latin1') : Buffer.from(p, 'utf8'))));
        const chunks = chunked(bytes, size);
        let asked = 0;
        const charset = (): ReturnType<typeof hl7CharsetOf> => {
          asked++;
          return hl7CharsetOf(chunks());
        };
        const lazy = [...hl7PiecesLazy(chunks(), charset)].join('');
        expect(lazy).toBe([...hl7Pieces(chunks(), hl7CharsetOf(chunks()))].join(''));
        expect(asked).toBe(bytes.every((b) => b < 0x80) ? 0 : 1);
      }),
    );
  });
});
