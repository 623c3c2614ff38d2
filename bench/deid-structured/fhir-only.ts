// `node bench/deid-structured/fhir-only.ts [--quick]`: only the FHIR half of the deid-structured
// bench (bench/deid-structured/fhir.ts, including its steady-state `fhir_warm_*` keys), printed
// with the load average and not written to bench/results (`npm run bench -- deid-structured`
// writes the results).
import os from 'node:os';
import { isQuick } from '../lib/result.ts';
import { fhirBench } from './fhir.ts';

const part = fhirBench(isQuick());
console.log(JSON.stringify({ ...part, load: os.loadavg().map((l) => Number(l.toFixed(2))) }, null, 2));
