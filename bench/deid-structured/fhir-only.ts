// `node bench/deid-structured/fhir-only.ts [--quick]`: only the FHIR half of the deid-structured
// bench (bench/deid-structured/fhir.ts), printed and not written to bench/results (the full
// `npm run bench -- deid-structured` writes the results). Reports the load average with the figures.
import os from 'node:os';
import { isQuick } from '../lib/result.ts';
import { fhirBench } from './fhir.ts';

const part = fhirBench(isQuick());
console.log(JSON.stringify({ ...part, load: os.loadavg().map((l) => Number(l.toFixed(2))) }, null, 2));
