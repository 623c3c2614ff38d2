// Test support: run in a child process under a small heap cap; de-identifies one file to another
// through the streaming file API and prints the outcome with the process's peak resident memory.
import { createPatientContextFactory } from '../../context/create-patient-context-factory.ts';
import { deidKeyFromSecret } from '../../context/deid-key.ts';
import { createDicomFileDeidentifier } from '../deidentify-dicom-file.ts';

const [input, output] = process.argv.slice(2);
if (input === undefined || output === undefined) throw new Error('usage: stream-child INPUT OUTPUT');
const key = deidKeyFromSecret(new Uint8Array(32).fill(3));
const deidentify = createDicomFileDeidentifier({ key, factory: createPatientContextFactory(key), burnedIn: 'accept' });
const r = await deidentify(input, output, 'large.dcm');
process.stdout.write(
  JSON.stringify({
    ok: r.ok,
    bytesWritten: r.ok ? r.bytesWritten : 0,
    bytesInMemory: r.ok ? r.bytesInMemory : 0,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    heapLimitBytes: (await import('node:v8')).getHeapStatistics().heap_size_limit,
  }),
);
