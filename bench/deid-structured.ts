// `npm run bench -- deid-structured [--quick]`: structured-data de-identification throughput on one
// core, each part against parse + serialize of the same input in the same run. The HL7 v2 part is
// bench/deid-structured/hl7.ts; a FHIR part, when bench/deid-structured/fhir.ts exists and exports
// `fhirBench(quick)`, writes its keys into the same bench/results/deid-structured.json.
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isQuick, writeResult } from './lib/result.ts';
import { hl7Bench, type BenchPart } from './deid-structured/hl7.ts';

const quick = isQuick();
const parts: BenchPart[] = [hl7Bench(quick)];
const fhirFile = path.join(path.dirname(fileURLToPath(import.meta.url)), 'deid-structured', 'fhir.ts');
if (existsSync(fhirFile)) {
  const fhir = (await import(pathToFileURL(fhirFile).href)) as { fhirBench: (quick: boolean) => BenchPart | Promise<BenchPart> };
  parts.push(await fhir.fhirBench(quick));
}
writeResult({
  bench: 'deid-structured',
  quick,
  metrics: Object.assign({}, ...parts.map((p) => p.metrics)) as Record<string, number>,
  // The machine's load at the end of the run (1/5/15-minute averages): figures from a shared, loaded machine are rough.
  notes: `${parts.map((p) => p.notes).join(' ')} Load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join('/')} on ${String(os.cpus().length)} cores.`,
});
