// `npm run bench -- deid-text-eval [--quick]`: quality of the clinical text engine on the dev
// gold sets of the corpus. Token-level recall on names, dates and ids, and precision
// (BENCHMARKS.md, deid-text-eval), with per-corpus and per-category figures:
// - Presidio research synthetic PII (gold, English, general domain), text only;
// - Synthea notes (FHIR bulk NDJSON and HIV bundles): silver labels = every identifier of the
//   patient's own Patient resource found in the note; run with the known identifiers (as the
//   FHIR pipeline does) and from the text alone;
// - MEDDOCAN (gold, Spanish; not a goal, reported for reference).
// The headline recall pools the English sets in their production setting (known identifiers for
// Synthea, none for Presidio); precision is measured on the gold set only (silver labels do not
// cover encounter dates, clinicians and places, which are true identifiers). Misses go to
// .phiguard/eval/deid-text-misses.json (ignored by git; contains synthetic PHI), never to stdout.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createClinicalTextDeidentifier,
  evaluate,
  ID_CATEGORIES,
  loadDictionaries,
  notesFromBundle,
  notesFromNdjson,
  pooledRecall,
  readBrat,
  readPresidio,
  type EvaluationReport,
  type GoldDocument,
  type KnownIdentifiers,
} from '@phiguard/deid';
import { isQuick, writeResult } from './lib/result.ts';

const quick = isQuick();
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const corpus = path.resolve(root, '../shared/corpus');
const engine = createClinicalTextDeidentifier({ dictionaries: loadDictionaries() });

type Doc = GoldDocument & { readonly known?: KnownIdentifiers };

function presidio(): Doc[] {
  const r = readPresidio('presidio', readFileSync(path.join(corpus, 'text-presidio-synthetic-pii/synth_dataset_v2.json'), 'utf8'));
  if (!r.ok) throw new Error(`presidio: ${r.reason}`);
  return quick ? r.documents.slice(0, 300) : [...r.documents];
}
function syntheaNdjson(): Doc[] {
  const dir = path.join(corpus, 'fhir-bulk-ndjson-10patients');
  const notes = notesFromNdjson(readFileSync(path.join(dir, 'Patient.000.ndjson'), 'utf8'), readFileSync(path.join(dir, 'DocumentReference.000.ndjson'), 'utf8'));
  return quick ? notes.slice(0, 200) : notes;
}
function syntheaBundles(): Doc[] {
  const dir = path.join(corpus, 'fhir-synthea-hiv-bundles');
  const files = readdirSync(dir).sort();
  return (quick ? files.slice(0, 1) : files).flatMap((f) => notesFromBundle(JSON.parse(readFileSync(path.join(dir, f), 'utf8')), f));
}
function meddocan(): Doc[] {
  const dir = path.join(corpus, 'notes-meddocan-es');
  const anns = readdirSync(dir).filter((f) => f.endsWith('.ann')).sort();
  return (quick ? anns.slice(0, 40) : anns).flatMap((f) => {
    const r = readBrat(f, readFileSync(path.join(dir, f.replace(/\.ann$/, '.txt')), 'utf8'), readFileSync(path.join(dir, f), 'utf8'));
    if (!r.ok) throw new Error(`meddocan: ${r.reason} at ${r.place}`);
    return r.documents;
  });
}

function run(docs: readonly Doc[], useKnown: boolean): EvaluationReport {
  return evaluate(docs, (d) => engine.detect(d.text, useKnown ? (d as Doc).known : undefined));
}

const r4 = (x: number): number => Math.round(x * 10000) / 10000;
const metrics: Record<string, number> = {};
const misses: Record<string, unknown> = {};
function record(prefix: string, r: EvaluationReport): void {
  misses[prefix] = r.misses;
  metrics[`${prefix}_documents`] = r.documents;
  metrics[`${prefix}_token_recall`] = r4(r.tokens.relaxed.recall);
  metrics[`${prefix}_token_precision`] = r4(r.tokens.relaxed.precision);
  metrics[`${prefix}_token_f1_strict`] = r4(r.tokens.strict.f1);
  metrics[`${prefix}_span_f1_relaxed`] = r4(r.spans.relaxed.f1);
  metrics[`${prefix}_span_f1_strict`] = r4(r.spans.strict.f1);
  metrics[`${prefix}_recall_names`] = r4(pooledRecall(r, ['name']));
  metrics[`${prefix}_recall_dates`] = r4(pooledRecall(r, ['date']));
  metrics[`${prefix}_recall_ids`] = r4(pooledRecall(r, ID_CATEGORIES));
  for (const [cat, f] of Object.entries(r.perCategory)) {
    if (f.goldTokens > 0) metrics[`${prefix}_cat_${cat.replace('-', '_')}_recall`] = r4(f.tokenRecall);
    if (f.predictedTokens > 0) metrics[`${prefix}_cat_${cat.replace('-', '_')}_precision`] = r4(f.tokenPrecision);
  }
}

const sets = { presidio: presidio(), ndjson: syntheaNdjson(), bundles: syntheaBundles(), meddocan: meddocan() };
const presidioReport = run(sets.presidio, false);
record('presidio', presidioReport);
// Safe Harbor scoring (docs/deid/text.md, Evaluation): 45 CFR §164.514(b)(2)(i)(C) asks to remove
// "all elements of dates (except year)". A gold date label whose whole text is a year alone or a
// weekday alone (neither is a date element to remove) is scored neutral: finding it is neither a
// hit nor a false positive, missing it is not a miss. Everything else is scored as labelled.
const NOT_A_DATE_ELEMENT = /^(?:(?:1[89]|20)\d{2}|(?:mon|tues|wednes|thurs|fri|satur|sun)day)$/i;
const safeHarborScored = (docs: readonly Doc[]): Doc[] =>
  docs.map((d) => ({
    ...d,
    spans: d.spans.map((g) => (g.category === 'date' && NOT_A_DATE_ELEMENT.test(d.text.slice(g.start, g.end).trim()) ? { ...g, category: null } : g)),
  }));
const presidioSafeHarbor = safeHarborScored(sets.presidio);
const presidioSafeHarborReport = run(presidioSafeHarbor, false);
metrics.presidio_recall_dates_safe_harbor = r4(pooledRecall(presidioSafeHarborReport, ['date']));
metrics.presidio_token_precision_safe_harbor = r4(presidioSafeHarborReport.tokens.relaxed.precision);
// Dev / held-out split of the Presidio set (2026-11-24 recall round): rules were tuned looking only
// at the misses of the first half; the second half is reported, not studied. (Rules written before
// that round saw misses of the whole set, so the held-out half is held out for that round only.)
const half = Math.ceil(presidioSafeHarbor.length / 2);
for (const [prefix, docs] of [['presidio_dev', presidioSafeHarbor.slice(0, half)], ['presidio_heldout', presidioSafeHarbor.slice(half)]] as const) {
  const r = run(docs, false);
  metrics[`${prefix}_documents`] = r.documents;
  metrics[`${prefix}_recall_names`] = r4(pooledRecall(r, ['name']));
  metrics[`${prefix}_recall_geographic`] = r4(pooledRecall(r, ['geographic']));
  metrics[`${prefix}_recall_dates_safe_harbor`] = r4(pooledRecall(r, ['date']));
  metrics[`${prefix}_recall_ids`] = r4(pooledRecall(r, ID_CATEGORIES));
  metrics[`${prefix}_token_precision`] = r4(r.tokens.relaxed.precision);
}
record('synthea_ndjson', run(sets.ndjson, true));
record('synthea_ndjson_textonly', run(sets.ndjson, false));
record('synthea_bundles', run(sets.bundles, true));
record('synthea_bundles_textonly', run(sets.bundles, false));
record('meddocan_es', run(sets.meddocan, false));
// Headline: the English sets pooled in production setting, Safe Harbor scored (above); precision
// on the gold set. The same figures as labelled are kept under *_as_labelled.
const pooledOf = (presidioDocs: readonly Doc[]): EvaluationReport =>
  evaluate([...presidioDocs, ...sets.ndjson, ...sets.bundles], (d) => engine.detect(d.text, (d as Doc).known));
const pooled = pooledOf(presidioSafeHarbor);
const pooledAsLabelled = pooledOf(sets.presidio);
const headline = {
  recall_names: r4(pooledRecall(pooled, ['name'])),
  recall_dates: r4(pooledRecall(pooled, ['date'])),
  recall_ids: r4(pooledRecall(pooled, ID_CATEGORIES)),
  precision: r4(presidioSafeHarborReport.tokens.relaxed.precision),
  recall_names_as_labelled: r4(pooledRecall(pooledAsLabelled, ['name'])),
  recall_dates_as_labelled: r4(pooledRecall(pooledAsLabelled, ['date'])),
  recall_ids_as_labelled: r4(pooledRecall(pooledAsLabelled, ID_CATEGORIES)),
  precision_as_labelled: r4(presidioReport.tokens.relaxed.precision),
};

const missesFile = path.join(root, '.phiguard/eval/deid-text-misses.json');
mkdirSync(path.dirname(missesFile), { recursive: true, mode: 0o700 });
writeFileSync(missesFile, `${JSON.stringify(misses, null, 1)}\n`, { mode: 0o600 });
writeResult({
  bench: 'deid-text-eval',
  quick,
  metrics: { ...headline, ...metrics },
  notes: `token level, relaxed (any identifier category counts) unless *_strict. Headline recall: Presidio gold + Synthea silver (with known identifiers) pooled, Safe Harbor scored: a gold date that is a year alone or a weekday alone is neutral (45 CFR 164.514(b)(2)(i)(C) keeps years; a weekday is no date element); *_as_labelled: every gold label counts. Precision: Presidio gold only (silver labels omit encounter dates, clinicians, places). Years alone are not redacted, which caps Presidio DATE_TIME recall as labelled; Presidio's international addresses and lower-case names are the main misses. MEDDOCAN is Spanish (not a goal). presidio_dev_* / presidio_heldout_*: first / second half of the Presidio documents, Safe Harbor scored; the 2026-11-24 recall round looked only at the first half's misses. Misses: .phiguard/eval/deid-text-misses.json (local only).`,
});
