// The HL7 v2 part of `npm run bench -- deid-structured`: messages/s on one core over every HL7
// message of the corpus (Safe Harbor profile, known-identifier text engine on OBX/NTE), against
// parse + serialize alone of the same input measured in the same run (the limit: a de-identifier
// must at least read every segment's fields and write the message back).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Hl7Deidentifier,
  KnownIdentifiersTextDeidentifier,
  MethodApplier,
  builtinProfile,
  createPatientContextFactory,
  createRecordTextDeidentifier,
  decodeHl7Bytes,
  deidKeyFromSecret,
  joinSegmentFields,
  parseHl7Document,
  segmentFields,
  serializeHl7Document,
} from '@phiguard/deid';
import { typicalHl7Messages } from './hl7-typical.ts';

export interface BenchPart {
  readonly metrics: Record<string, number>;
  readonly notes: string;
}

const corpus = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/corpus');

function hl7Files(): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir)) {
      const p = path.join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else files.push(p);
    }
  };
  for (const d of readdirSync(corpus).filter((d) => d.startsWith('hl7v2-'))) walk(path.join(corpus, d));
  return files.sort();
}

/** Messages per CPU-second of this process (user + system), repeated until `seconds` of CPU time. */
function rate(messages: number, seconds: number, pass: () => number): { perS: number; sink: number } {
  let sink = pass(); // warm-up: JIT, regex compilation, caches
  let rounds = 0;
  const c0 = process.cpuUsage();
  let cpu = 0;
  while (cpu < seconds || rounds < 3) {
    sink += pass();
    rounds += 1;
    const u = process.cpuUsage(c0);
    cpu = (u.user + u.system) / 1e6;
  }
  return { perS: (messages * rounds) / cpu, sink };
}

export function hl7Bench(quick: boolean): BenchPart {
  const texts = hl7Files().map((f) => decodeHl7Bytes(readFileSync(f)).text);
  const messages = texts.reduce((n, t) => n + parseHl7Document(t).messages.length, 0);
  const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t, 'utf8'), 0);
  const key = deidKeyFromSecret(new Uint8Array(32).fill(1));
  const fresh = (text: 'known' | 'clinical' = 'known'): Hl7Deidentifier =>
    new Hl7Deidentifier({
      factory: createPatientContextFactory(key),
      methods: new MethodApplier(builtinProfile('safe-harbor'), key, { text: text === 'known' ? new KnownIdentifiersTextDeidentifier() : createRecordTextDeidentifier() }),
      referenceDate: '2026-11-24',
    });
  const deidentifier = fresh();
  const seconds = quick ? 0.5 : 3;

  const parsePass = (all: readonly string[]) => (): number => {
    let n = 0;
    for (const t of all) {
      const doc = parseHl7Document(t);
      for (const m of doc.messages) {
        if (!m.ok) continue;
        for (let i = m.start; i < m.end; i++) {
          const line = doc.lines[i];
          if (line !== undefined) line.text = joinSegmentFields(segmentFields(line.text, m.encoding), m.encoding);
        }
      }
      n += serializeHl7Document(doc).length;
    }
    return n;
  };
  const deidPass = (all: readonly string[], d: Hl7Deidentifier = deidentifier) => (): number => {
    let n = 0;
    for (const t of all) n += d.deidentify(t).text.length;
    return n;
  };
  const parse = rate(messages, seconds, parsePass(texts));
  const deid = rate(messages, seconds, deidPass(texts));
  // Typical messages (synthesized ADT^A01 / ORU^R01, about 1 KB, one patient each): see hl7-typical.ts.
  const typical = typicalHl7Messages(quick ? 500 : 2000);
  const typicalBytes = typical.reduce((n, t) => n + Buffer.byteLength(t, 'utf8'), 0);
  const typicalParse = rate(typical.length, seconds, parsePass(typical));
  const typicalDeid = rate(typical.length, seconds, deidPass(typical));
  // Cold feed: every pass on a new de-identifier and factory, so every patient and every id is
  // new (an HMAC per patient and per id, no cached pseudonym or prepared text matcher), as in a
  // live feed of distinct patients.
  const typicalCold = rate(typical.length, seconds, () => {
    const cold = fresh();
    let n = 0;
    for (const t of typical) n += cold.deidentify(t).text.length;
    return n;
  });
  // The CLI's default free-text engine (--text-engine clinical): the clinical engine, then the known identifiers.
  const clinical = fresh('clinical');
  const clinicalCorpus = rate(messages, seconds, deidPass(texts, clinical));
  const clinicalTypical = rate(typical.length, seconds, deidPass(typical, clinical));
  const round = (x: number): number => Math.round(x);
  const ratio = (a: number, b: number): number => Math.round((a / b) * 1000) / 1000;
  return {
    metrics: {
      hl7_messages_per_s: round(deid.perS),
      hl7_mb_per_s: Number(((deid.perS * bytes) / messages / 2 ** 20).toFixed(2)),
      hl7_parse_messages_per_s: round(parse.perS),
      hl7_ratio_to_parse: ratio(deid.perS, parse.perS),
      hl7_corpus_messages: messages,
      hl7_corpus_bytes: bytes,
      hl7_typical_messages_per_s: round(typicalDeid.perS),
      hl7_typical_mb_per_s: Number(((typicalDeid.perS * typicalBytes) / typical.length / 2 ** 20).toFixed(2)),
      hl7_typical_parse_messages_per_s: round(typicalParse.perS),
      hl7_typical_ratio_to_parse: ratio(typicalDeid.perS, typicalParse.perS),
      hl7_typical_cold_messages_per_s: round(typicalCold.perS),
      hl7_clinical_messages_per_s: round(clinicalCorpus.perS),
      hl7_typical_clinical_messages_per_s: round(clinicalTypical.perS),
    },
    notes: `HL7: ${String(messages)} messages (${String(texts.length)} files, ${String(Math.round(bytes / 1024))} KiB, avg ${String(Math.round(bytes / messages))} B/message) from ../shared/corpus/hl7v2-*, safe-harbor profile with the known-identifiers text engine, repeated for ${String(seconds)} s CPU each; rates per CPU-second of one thread; parse = parseHl7Document + split/join of every segment's fields + serialize. hl7_typical_*: ${String(typical.length)} SYNTHESIZED ADT^A01/ORU^R01 messages (avg ${String(Math.round(typicalBytes / typical.length))} B, one patient each; bench/deid-structured/hl7-typical.ts), same profile and method; hl7_typical_cold_*: the same messages, each pass on a new de-identifier and patient-context factory (every patient and id new: no cached pseudonym). hl7_*clinical_*: the same with the CLI's default free-text engine (createRecordTextDeidentifier: the clinical engine, then the known identifiers, on every OBX-5/NTE-3 text), which is what \`phiguard deid hl7v2\` runs; the headline keys keep the known-identifier engine of the issue's scope. Sink ${String((parse.sink + deid.sink + typicalParse.sink + typicalDeid.sink + typicalCold.sink + clinicalCorpus.sink + clinicalTypical.sink) % 997)}.`,
  };
}
