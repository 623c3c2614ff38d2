// Child process for crash-safety tests (rewrap-store.test.ts): does key work and reports each
// acknowledged step on stdout; the test kills it with SIGKILL part-way through.
import { systemClock } from '@phiguard/core';
import { MemoryAuditRecorder } from '@phiguard/testkit';
import { openKeyManager } from './open-keystore.ts';
import { FileWrappedKeyStore, rewrapStore } from './rewrap-store.ts';

const [mode, file, keyFile, storeDir, actor] = process.argv.slice(2);
if (mode === undefined || file === undefined || keyFile === undefined || storeDir === undefined || actor === undefined) throw new TypeError('usage: MODE FILE KEYFILE STOREDIR ACTOR');
const manager = await openKeyManager({ file, unlock: { kind: 'key-file', path: keyFile }, audit: new MemoryAuditRecorder(), clock: systemClock });
const store = new FileWrappedKeyStore(storeDir);

if (mode === 'rewrap') {
  await rewrapStore(manager, store, actor, { batchSize: 5, onProgress: (done) => process.stdout.write(`progress ${done}\n`) });
  process.stdout.write('finished\n');
} else if (mode === 'rotate') {
  for (let n = 0; n < 10_000; n++) {
    const { latestVersion } = await manager.rotate(actor, 'k');
    const dek = await manager.provider.generateDataKey('k');
    await store.put(`dek-${n}`, dek.wrapped);
    process.stdout.write(`ack ${n} ${latestVersion} ${dek.plaintext.toString('hex')}\n`);
  }
}
