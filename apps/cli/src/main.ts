import { readFileSync } from 'node:fs';
import { isBaseError } from '@phiguard/core';
import { processContext } from './context.ts';
import { buildProgram } from './program.ts';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
const ctx = processContext(pkg.version);

try {
  await buildProgram(ctx).parseAsync(process.argv);
} catch (error) {
  // Typed errors name the place and what to do next; they never carry data values.
  if (isBaseError(error)) {
    ctx.stderr.write(`phiguard: ${error.describe()} [${error.code}]\n`);
    if (error.hint !== undefined) ctx.stderr.write(`hint: ${error.hint}\n`);
    process.exitCode = 1;
  } else {
    throw error;
  }
}
