// `npx node bench/deid-structured/hl7-only.ts [--quick]`: only the HL7 v2 half of the
// deid-structured bench (bench/deid-structured/hl7.ts), printed and not written to bench/results
// (the full `npm run bench -- deid-structured` writes the results). Reports the load average.
import os from 'node:os';
import { isQuick } from '../lib/result.ts';
import { hl7Bench } from './hl7.ts';

const part = hl7Bench(isQuick());
console.log(JSON.stringify({ ...part, load: os.loadavg().map((l) => Number(l.toFixed(2))) }, null, 2));
