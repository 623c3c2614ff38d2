// `node bench/deid-structured/fhir-only.ts [--quick]`: only the FHIR half of the deid-structured
// bench (bench/deid-structured/fhir.ts), printed and not written to bench/results (the full
// `npm run bench -- deid-structured` writes the results). Reports the load average with the figures.
//
// Extra keys, printed here only (fhir.ts is unchanged): `fhir_warm_*`. The bench's own passes
// come after a warm-up of three files and are still partly cold (the JIT and inline caches of the
// whole engine warm over the first five or so full passes, measured: ~430, 220, 240, 190 ms, then
// ~150), so a change to a part that is hot only when warm barely shows in them. The warm keys run
// the same pass (fresh de-identifier, CPU seconds) after five full warm-up passes and take the
// median of the next seven; parse + serialize is measured the same way for the ratio.
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  FhirDeidentifier, KnownIdentifiersTextDeidentifier, builtinProfile, createPatientContextFactory, deidKeyFromSecret,
  deidentifyNdjson, ndjsonLines, registerNdjsonPatients,
} from '@phiguard/deid';
import { isQuick } from '../lib/result.ts';
import { fhirBench } from './fhir.ts';

const corpus = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/corpus');

interface Input {
  readonly name: string;
  readonly text: string;
  readonly ndjson: boolean;
  readonly resources: number;
}

/** The same inputs, in the same order, as fhir.ts. */
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
      out.push({ name: f, text, ndjson: false, resources: ((JSON.parse(text) as { entry?: unknown[] }).entry?.length ?? 0) + 1 });
    }
  }
  return out;
}

function cpuSince(c0: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(c0);
  return (u.user + u.system) / 1e6;
}

function deidPass(all: readonly Input[]): number {
  const key = deidKeyFromSecret(new Uint8Array(32).fill(1));
  const deid = new FhirDeidentifier(
    { kind: 'profile', profile: builtinProfile('safe-harbor'), key },
    { factory: createPatientContextFactory(key), text: new KnownIdentifiersTextDeidentifier() },
  );
  const c0 = process.cpuUsage();
  for (const i of all) if (i.ndjson && i.name.startsWith('Patient')) registerNdjsonPatients(i.text, deid, i.name);
  let bytes = 0;
  for (const i of all) {
    if (i.ndjson) bytes += deidentifyNdjson(i.text, deid, i.name).output.length;
    else bytes += JSON.stringify(deid.deidentify(JSON.parse(i.text) as Record<string, unknown>).resource).length;
  }
  if (bytes === 0) throw new Error('no output');
  return cpuSince(c0);
}

function parsePass(all: readonly Input[]): number {
  const c0 = process.cpuUsage();
  let bytes = 0;
  for (const i of all) {
    if (i.ndjson) for (const l of ndjsonLines(i.text)) bytes += JSON.stringify(JSON.parse(l.text)).length;
    else bytes += JSON.stringify(JSON.parse(i.text)).length;
  }
  if (bytes === 0) throw new Error('no output');
  return cpuSince(c0);
}

function warmMedian(warmUp: number, runs: number, pass: () => number): number {
  for (let r = 0; r < warmUp; r++) pass();
  const times: number[] = [];
  for (let r = 0; r < runs; r++) times.push(pass());
  times.sort((a, b) => a - b);
  return times[times.length >> 1] ?? NaN;
}

const quick = isQuick();
const part = fhirBench(quick);
const all = inputs();
const resources = all.reduce((n, i) => n + i.resources, 0);
const subset = all.filter((i) => i.ndjson);
const subsetResources = subset.reduce((n, i) => n + i.resources, 0);
const runs = quick ? 1 : 7;
const deid = warmMedian(quick ? 1 : 5, runs, () => deidPass(all));
const parse = warmMedian(quick ? 1 : 3, runs, () => parsePass(all));
const ndjson = warmMedian(quick ? 1 : 3, runs, () => deidPass(subset));
const warm = {
  fhir_warm_resources_per_s: Math.round(resources / deid),
  fhir_warm_ratio_to_parse: Number((parse / deid).toFixed(3)),
  fhir_warm_ndjson_resources_per_s: Math.round(subsetResources / ndjson),
};
console.log(JSON.stringify({ ...part, warm, load: os.loadavg().map((l) => Number(l.toFixed(2))) }, null, 2));
