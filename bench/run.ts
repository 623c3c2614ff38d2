// `npm run bench -- NAME [--quick]`: runs bench/NAME.ts, which writes bench/results/NAME.json.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const name = process.argv[2];
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .map((f) => f.slice(0, -3));
if (name === undefined || name.startsWith('-') || !existsSync(path.join(here, `${name}.ts`))) {
  process.stderr.write(`usage: npm run bench -- NAME [--quick]\navailable: ${available.join(', ') || '(none yet)'}\n`);
  process.exit(2);
}
await import(pathToFileURL(path.join(here, `${name}.ts`)).href);
