// Child process of upload-crash.int.test.ts: uploads one dataset version and pauses (forever) at
// a named stage, printing a line when it gets there, so the parent can kill -9 it exactly there.
// Usage: node upload-crash-child.ts HOME DATASET STAGE pglite DIR | ... postgres URL SCHEMA
// Stages: file (inside the second file), before-insert, after-insert (committed, not ledgered), none.
import path from 'node:path';
import { systemClock } from '@phiguard/core';
import { openKeyManager } from '@phiguard/keys';
import { MemoryAuditRecorder } from '@phiguard/testkit';
import { FsBlobStore } from '../blob/fs-blob-store.ts';
import { openVaultDatabase } from '../sql/open-vault-database.ts';
import { SqlDatasetStore } from '../sql/sql-dataset-store.ts';
import type { DatasetStore } from './dataset-store.ts';
import { Datasets } from './datasets.ts';
import { loadOrCreateManifestSigner } from './manifest-signer.ts';

const [home, dataset, stage, backend, where, schema] = process.argv.slice(2);
if (home === undefined || dataset === undefined || stage === undefined || where === undefined || (backend !== 'pglite' && backend !== 'postgres')) {
  process.stderr.write('usage: upload-crash-child.ts HOME DATASET STAGE pglite DIR | HOME DATASET STAGE postgres URL SCHEMA\n');
  process.exit(2);
}
const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const forever = (): Promise<never> => new Promise<never>(() => undefined);

const audit = new MemoryAuditRecorder();
const manager = await openKeyManager({ file: path.join(home, 'keystore.json'), unlock: { kind: 'key-file', path: path.join(home, 'master.key') }, audit, clock: systemClock });
const driver = await openVaultDatabase(backend === 'pglite' ? { kind: 'pglite', dataDir: where } : { kind: 'postgres', url: where, ...(schema === undefined ? {} : { schema }) });
const inner = new SqlDatasetStore(driver);
const insertVersion: DatasetStore['insertVersion'] = async (record) => {
  say('before-insert');
  if (stage === 'before-insert') await forever();
  await inner.insertVersion(record);
  say('after-insert');
  if (stage === 'after-insert') await forever();
};
const store = new Proxy(inner, {
  get(target, property) {
    if (property === 'insertVersion') return insertVersion;
    const value: unknown = Reflect.get(target, property, target);
    return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
  },
});
const { signer, verifier } = await loadOrCreateManifestSigner(path.join(home, 'signer.pem'));
const datasets = new Datasets({ store, blobs: await FsBlobStore.open(path.join(home, 'blobs'), systemClock), providers: [manager.provider], signer, verifiers: [verifier], audit, clock: systemClock, frameSize: 65_536 });

/** A file of `size` bytes of `fill`, in 64 KiB chunks, each after a macrotask (the parent's kill can land anywhere). */
function slowFile(size: number, fill: number, pauseAt?: number): () => AsyncGenerator<Uint8Array> {
  return async function* () {
    for (let sent = 0; sent < size; sent += 65_536) {
      await new Promise((resolve) => setImmediate(resolve));
      if (sent === pauseAt) {
        say('file');
        if (stage === 'file') await forever();
      }
      yield Buffer.alloc(Math.min(65_536, size - sent), fill);
    }
  };
}

say('ready');
const record = await datasets.addVersion(dataset, {
  actor: 'usr_01jxk3q8y9a2b3c4d5e6f7g8h9',
  files: [
    { name: 'first.bin', open: slowFile(1_000_000, 1) },
    { name: 'second.bin', open: slowFile(3_000_000, 2, 16 * 65_536) },
  ],
});
say(`done ${String(record.version)}`);
await store.close();
manager.close();
