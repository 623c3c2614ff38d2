#!/usr/bin/env node
// The `phiguard` command. Runs the TypeScript sources directly: Node 24 strips types natively.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `phiguard needs Node.js 24 or newer (this is ${process.version}).\n` +
      'Run it through npm from the repository (npx phiguard ..., npm start), which uses the Node 24 installed by npm ci.\n',
  );
  process.exit(2);
}
// V8 code cache on disk (Node's default folder under the OS temp dir; NODE_DISABLE_COMPILE_CACHE=1
// turns it off): later runs skip most of compiling the sources. It holds compiled code only.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
await import('../src/main.ts');
