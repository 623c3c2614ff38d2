// The documented CPU job of the compute benchmark when PyTorch is not installed: for every input
// file, 64 rounds of SHA-256 over its bytes (CPU-bound, deterministic), then a JSON summary.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const input = process.env.PHIGUARD_INPUT_DIR ?? '.';
const output = process.env.PHIGUARD_OUTPUT_DIR ?? '.';
const digests: Record<string, string> = {};
for (const name of readdirSync(input).sort()) {
  const bytes = readFileSync(path.join(input, name));
  let d = bytes;
  for (let i = 0; i < 64; i++) d = createHash('sha256').update(d).update(bytes).digest();
  digests[name] = d.toString('hex');
}
writeFileSync(path.join(output, 'digests.json'), JSON.stringify(digests));
process.stdout.write(`hashed ${String(Object.keys(digests).length)} files\n`);
