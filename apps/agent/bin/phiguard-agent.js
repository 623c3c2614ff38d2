#!/usr/bin/env node
// The `phiguard-agent` command. Runs the TypeScript sources directly: Node 24 strips types natively.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(`phiguard-agent needs Node.js 24 or newer (this is ${process.version}).\n`);
  process.exit(2);
}
await import('../src/main.ts');
