// FHIR part of `npm run bench -- deid-structured`: FHIR resources/s and MB/s on the Synthea Bulk
// NDJSON and Bundles on one core (safe-harbor, known-identifier text engine), against
// JSON.parse + JSON.stringify of the same input in the same run (the limit). Also measures the
// same de-identification with every rule evaluated by the `fhirpath` package, against the
// compiled per-resource-type plan (docs/deid/fhir.md "Compiled plans"; key fhir_type_fast_path_*).
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  FhirDeidentifier, KnownIdentifiersTextDeidentifier, builtinProfile, createPatientContextFactory, createRecordTextDeidentifier, deidKeyFromSecret,
  deidentifyNdjson, loadDictionaries, ndjsonLines, registerNdjsonPatients,
} from '@phiguard/deid';
import type { BenchPart } from './hl7.ts';

const corpus = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/corpus');

interface Input {
  readonly name: string;
  readonly text: string;
  readonly ndjson: boolean;
  readonly resources: number;
}

function inputs(): Input[] {
  const out: Input[] = [];
  const bulk = path.join(corpus, 'fhir-bulk-ndjson-10patients');
  for (const f of readdirSync(bulk).sort((a, b) => (a.startsWith('Patient') ? -1 : b.startsWith('Patient') ? 1 : a.localeCompare(b)))) {
    const text = readFileSync(path.join(bulk, f), 'utf8');
    out.push({ name: f, text, ndjson: true, resources: [...ndjsonLines(text)].length });
  }
  for (const dir of ['fhir-synthea-hiv-bundles', 'fhir-msft-anonymizer-samples']) {
    for (const f of readdirSync(path.join(corpus, dir)).sort()) {
      const text = readFileSync(path.join(corpus, dir, f), 'utf8');
      const entries = (JSON.parse(text) as { entry?: unknown[] }).entry?.length ?? 0;
      out.push({ name: f, text, ndjson: false, resources: entries + 1 });
    }
  }
  return out;
}

/** The CLI's default free-text engine's word lists, decoded once for all passes (as one CLI run does). */
let dictionaries: ReturnType<typeof loadDictionaries> | undefined;

function deidPass(all: readonly Input[], fhirPathOnly: boolean, text: 'known' | 'clinical' = 'known'): number {
  const key = deidKeyFromSecret(new Uint8Array(32).fill(1));
  const engine = text === 'known' ? new KnownIdentifiersTextDeidentifier() : createRecordTextDeidentifier({ dictionaries: (dictionaries ??= loadDictionaries()) });
  const deid = new FhirDeidentifier(
    { kind: 'profile', profile: builtinProfile('safe-harbor'), key },
    { factory: createPatientContextFactory(key), text: engine, fhirPathOnly },
  );
  const c0 = process.cpuUsage();
  for (const i of all) if (i.ndjson && i.name.startsWith('Patient')) registerNdjsonPatients(i.text, deid, i.name);
  let bytes = 0;
  for (const i of all) {
    if (i.ndjson) bytes += deidentifyNdjson(i.text, deid, i.name).output.length;
    else bytes += JSON.stringify(deid.deidentify(JSON.parse(i.text) as Record<string, unknown>).resource).length;
  }
  if (bytes === 0) throw new Error('no output');
  return cpuSeconds(c0);
}

function parsePass(all: readonly Input[]): number {
  const c0 = process.cpuUsage();
  let bytes = 0;
  for (const i of all) {
    if (i.ndjson) for (const l of ndjsonLines(i.text)) bytes += JSON.stringify(JSON.parse(l.text)).length;
    else bytes += JSON.stringify(JSON.parse(i.text)).length;
  }
  if (bytes === 0) throw new Error('no output');
  return cpuSeconds(c0);
}

/** CPU seconds of this process since `c0` (user + system): one thread, so per core, and robust to a loaded machine. */
function cpuSeconds(c0: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(c0);
  return (u.user + u.system) / 1e6;
}

/** Median of `runs` passes after `warmUp` unmeasured ones (the JIT settles over ~5 full passes). */
function warmMedian(warmUp: number, runs: number, pass: () => number): number {
  for (let r = 0; r < warmUp; r++) pass();
  const times: number[] = [];
  for (let r = 0; r < runs; r++) times.push(pass());
  times.sort((a, b) => a - b);
  return times[times.length >> 1] ?? Number.NaN;
}

function best(runs: number, f: () => number): number {
  let min = Infinity;
  for (let r = 0; r < runs; r++) min = Math.min(min, f());
  return min;
}

export function fhirBench(quick: boolean): BenchPart {
  const all = inputs();
  const resources = all.reduce((n, i) => n + i.resources, 0);
  const mb = all.reduce((n, i) => n + Buffer.byteLength(i.text, 'utf8'), 0) / 2 ** 20;
  const runs = quick ? 1 : 3;
  deidPass(all.slice(0, 3), false); // warm-up
  const deid = best(runs, () => deidPass(all, false));
  const parse = best(runs, () => parsePass(all));
  const subset = all.filter((i) => i.ndjson);
  const subsetResources = subset.reduce((n, i) => n + i.resources, 0);
  const fast = best(1, () => deidPass(subset, false));
  const slow = best(1, () => deidPass(subset, true));
  // Steady state, as a long NDJSON export sees it: the same passes after five full warm-up passes.
  const warmRuns = quick ? 1 : 7;
  const warmDeid = warmMedian(quick ? 1 : 5, warmRuns, () => deidPass(all, false));
  const warmParse = warmMedian(quick ? 1 : 3, warmRuns, () => parsePass(all));
  const warmNdjson = warmMedian(quick ? 1 : 3, warmRuns, () => deidPass(subset, false));
  // The CLI's default free-text engine (--text-engine clinical), steady state as above.
  const warmClinical = warmMedian(quick ? 1 : 5, warmRuns, () => deidPass(all, false, 'clinical'));
  return {
    metrics: {
      fhir_resources_per_s: Math.round(resources / deid),
      fhir_mb_per_s: Number((mb / deid).toFixed(2)),
      fhir_ratio_to_parse: Number((parse / deid).toFixed(3)),
      fhir_parse_serialize_resources_per_s: Math.round(resources / parse),
      fhir_fhirpath_only_resources_per_s: Math.round(subsetResources / slow),
      fhir_type_fast_path_resources_per_s: Math.round(subsetResources / fast),
      fhir_warm_resources_per_s: Math.round(resources / warmDeid),
      fhir_warm_ratio_to_parse: Number((warmParse / warmDeid).toFixed(3)),
      fhir_warm_ndjson_resources_per_s: Math.round(subsetResources / warmNdjson),
      fhir_warm_clinical_resources_per_s: Math.round(resources / warmClinical),
    },
    notes: `FHIR: ${String(resources)} resources (${mb.toFixed(1)} MB) from the Synthea Bulk NDJSON, HIV bundles and Microsoft samples; safe-harbor, known-identifier text engine, one core, CPU seconds of the process (user + system), best of ${String(runs)}; limit = JSON.parse + JSON.stringify of the same input; fhirpath-only vs compiled plan (the type fast path key) measured on the NDJSON subset. fhir_warm_*: steady state, the median of ${String(warmRuns)} passes after five full warm-up passes (parse limit after three), as a long export sees it; the headline keys above come after a warm-up of three files and are partly cold. fhir_warm_clinical_*: steady state with the CLI's default free-text engine (createRecordTextDeidentifier: the clinical engine, then the known identifiers, on every string and note), which is what \`phiguard deid fhir\` runs; the headline keys keep the known-identifier engine of the issue's scope.`,
  };
}
