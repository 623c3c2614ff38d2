// `npm run bench -- deid-text [--quick]`: throughput of the clinical text engine on one core,
// all detectors on (patterns, names/places, the patient's known identifiers, surrogates), over
// the Synthea notes of the corpus, against a bare single-regex pass over the same text measured
// in the same run, and against Presidio's published ~15 KB/s. Keys: BENCHMARKS.md (deid-text).
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAsyncModelDetector, createClinicalTextDeidentifier, createOnnxTokenClassifier, createPatientContextFactory, notesFromBundle, notesFromNdjson, type SilverNote } from '@phiguard/deid';
import { isQuick, writeResult } from './lib/result.ts';

const quick = isQuick();
const corpus = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../shared/corpus');
const PRESIDIO_BYTES_PER_S = 15_000;

const bulk = path.join(corpus, 'fhir-bulk-ndjson-10patients');
const notes: SilverNote[] = notesFromNdjson(readFileSync(path.join(bulk, 'Patient.000.ndjson'), 'utf8'), readFileSync(path.join(bulk, 'DocumentReference.000.ndjson'), 'utf8'));
const bundles = path.join(corpus, 'fhir-synthea-hiv-bundles');
for (const f of readdirSync(bundles)) notes.push(...notesFromBundle(JSON.parse(readFileSync(path.join(bundles, f), 'utf8')), f));
const bytes = notes.reduce((n, d) => n + Buffer.byteLength(d.text, 'utf8'), 0);

const factory = createPatientContextFactory({ id: 'bench', secret: new Uint8Array(32).fill(1) });
const patients = notes.map((n, i) => factory.forPatient({ system: 'urn:bench', value: n.known.identifiers?.[0] ?? String(i) }));
const engine = createClinicalTextDeidentifier({ mode: 'surrogates' });

/**
 * MB/s per core: bytes over the CPU time (user + system) the process spent, so that other work on
 * a shared machine does not count against us (the JS work is single-threaded; GC helper threads
 * add CPU time, which makes the figure conservative). Wall-clock MB/s is reported beside it.
 */
function timeMbPerS(rounds: number, pass: () => number): { mbs: number; wallMbs: number; sink: number } {
  pass(); // warm-up (JIT, regex compilation)
  let sink = 0;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) sink += pass();
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(c0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const mb = (bytes * rounds) / 1e6;
  return { mbs: mb / cpuSeconds, wallMbs: mb / wall, sink };
}

const rounds = quick ? 2 : 6;
const full = timeMbPerS(rounds, () => {
  let n = 0;
  for (let i = 0; i < notes.length; i++) {
    const note = notes[i]!;
    n += engine.deidentify({ text: note.text, patient: patients[i]!, known: note.known }).spans.length;
  }
  return n;
});
// The peer: one bare regular expression (US phone numbers) scanned over the same notes.
const bare = /\(?\b\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b/g;
const regex = timeMbPerS(rounds * 4, () => {
  let n = 0;
  for (const note of notes) n += note.text.match(bare)?.length ?? 0;
  return n;
});

// Extra: the same pipeline plus the ONNX model detector (off by default) with the tiny test model
// of packages/deid (WordPiece, windows, onnxruntime-node session runs; the model itself is a
// Gather + MatMul, so this is the detector's overhead, not a BERT's inference cost).
const tinyDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../packages/deid/src/text/detectors/fixtures/tiny-deid');
const tinyConfig = JSON.parse(readFileSync(path.join(tinyDir, 'config.json'), 'utf8')) as { id2label: Record<string, string> };
const classifier = await createOnnxTokenClassifier({
  model: readFileSync(path.join(tinyDir, 'model.onnx')),
  vocab: readFileSync(path.join(tinyDir, 'vocab.txt'), 'utf8'),
  labels: Object.keys(tinyConfig.id2label).map((_, i) => tinyConfig.id2label[String(i)] ?? 'O'),
});
const withModel = createClinicalTextDeidentifier({ mode: 'surrogates', asyncDetectors: [createAsyncModelDetector(classifier)] });
async function modelPass(): Promise<number> {
  let n = 0;
  for (let i = 0; i < notes.length; i++) {
    const note = notes[i]!;
    n += (await withModel.deidentifyAsync({ text: note.text, patient: patients[i]!, known: note.known })).spans.length;
  }
  return n;
}
await modelPass();
const m0 = process.cpuUsage();
const modelRounds = quick ? 1 : 2;
for (let r = 0; r < modelRounds; r++) await modelPass();
const modelCpu = process.cpuUsage(m0);
const modelMbs = (bytes * modelRounds) / 1e6 / ((modelCpu.user + modelCpu.system) / 1e6);
await classifier.close();

const round3 = (x: number): number => Math.round(x * 1000) / 1000;
writeResult({
  bench: 'deid-text',
  quick,
  metrics: {
    mb_s: round3(full.mbs),
    mb_s_wall: round3(full.wallMbs),
    regex_mb_s: round3(regex.mbs),
    ratio_to_regex: round3(full.mbs / regex.mbs),
    presidio_ratio: Math.round((full.mbs * 1e6) / PRESIDIO_BYTES_PER_S),
    notes: notes.length,
    corpus_mb: round3(bytes / 1e6),
    spans_per_pass: full.sink / rounds,
    mb_s_with_tiny_model: round3(modelMbs),
  },
  notes: `one core, ${String(notes.length)} Synthea notes (${(bytes / 1e6).toFixed(2)} MB) x ${String(rounds)} rounds; MB/s per core = bytes / process CPU time (wall-clock figure in mb_s_wall; the machine is shared). All detectors on (pattern alternation, name/place dictionaries, known identifiers of the patient incl. fuzzy names, surrogates with date shift). regex_mb_s: one bare phone regex over the same text. presidio_ratio: mb_s / 15 KB/s (Presidio's published figure). mb_s_with_tiny_model: the same plus the ONNX model detector (off by default) with the 1.5 kB test model, process CPU time incl. onnxruntime threads: the detector's own overhead (tokenizer, windows, session runs), not a real model's inference cost.`,
});
