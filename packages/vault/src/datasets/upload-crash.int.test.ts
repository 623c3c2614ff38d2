// Crash safety of uploads (issue 3, ARCHITECTURE §5): kill -9 during a dataset upload leaves
// either no version or a complete one; orphaned blobs are removed by gc once retention allows.
// The child pauses at a named stage and is killed there; one run more is killed at a random time.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dropTestSchema, randomTestSchema, TEST_PG_URL } from '@phiguard/audit';
import { ManualClock } from '@phiguard/core';
import { initKeystore } from '@phiguard/keys';
import { MemoryAuditRecorder } from '@phiguard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsBlobStore } from '../blob/fs-blob-store.ts';
import { openVaultDatabase, type VaultDatabaseOptions } from '../sql/open-vault-database.ts';
import { SqlDatasetStore } from '../sql/sql-dataset-store.ts';
import { Datasets } from './datasets.ts';
import { ALICE, BOB } from './datasets.fixture.ts';
import { loadOrCreateManifestSigner } from './manifest-signer.ts';
import type { KeyProvider } from '@phiguard/keys';
import { collect } from './version-reader.ts';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'upload-crash-child.ts');

function runUntil(args: readonly string[], marker: string | number): Promise<{ lines: string[] }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let stderr = '';
    let buffered = '';
    let timer: NodeJS.Timeout | undefined;
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      lines.push(...parts);
      if (typeof marker === 'string' && parts.includes(marker)) proc.kill('SIGKILL');
      if (typeof marker === 'number' && parts.includes('ready') && timer === undefined) timer = setTimeout(() => proc.kill('SIGKILL'), marker);
    });
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL' || lines.some((l) => l.startsWith('done'))) resolve({ lines });
      else reject(new Error(`upload child exited (code ${String(code)}): ${stderr}`));
    });
  });
}

interface Home {
  readonly dir: string;
  readonly provider: KeyProvider;
  readonly close: () => void;
}

async function makeHome(): Promise<Home> {
  const dir = await mkdtemp(path.join(tmpdir(), 'upload-crash-'));
  await writeFile(path.join(dir, 'master.key'), randomBytes(32), { mode: 0o600 });
  const audit = new MemoryAuditRecorder();
  const { manager } = await initKeystore({
    file: path.join(dir, 'keystore.json'),
    unlock: { kind: 'key-file', path: path.join(dir, 'master.key') },
    audit,
    clock: new ManualClock(Date.now()),
    actor: ALICE,
    custodians: [ALICE, BOB],
    threshold: 2,
  });
  await manager.createKey(ALICE, 'dataset-key');
  return { dir, provider: manager.provider, close: () => { manager.close(); } };
}

async function openService(home: Home, db: VaultDatabaseOptions, clock: ManualClock): Promise<{ datasets: Datasets; store: SqlDatasetStore; blobs: FsBlobStore }> {
  const store = new SqlDatasetStore(await openVaultDatabase(db));
  const { signer, verifier } = await loadOrCreateManifestSigner(path.join(home.dir, 'signer.pem'));
  const blobs = await FsBlobStore.open(path.join(home.dir, 'blobs'), clock);
  return { datasets: new Datasets({ store, blobs, providers: [home.provider], signer, verifiers: [verifier], audit: new MemoryAuditRecorder(), clock, frameSize: 65_536 }), store, blobs };
}

async function countBlobs(blobs: FsBlobStore): Promise<number> {
  let n = 0;
  for await (const blob of blobs.list()) if (blob !== '') n += 1;
  return n;
}

function describeCrash(backend: 'pglite' | 'postgres', stages: readonly (string | number)[]): void {
  describe(`kill -9 during a dataset upload (${backend})`, () => {
    let home: Home;
    let db: VaultDatabaseOptions;
    let dbArgs: string[];
    const schema = randomTestSchema('vault_crash');
    beforeAll(async () => {
      home = await makeHome();
      db = backend === 'pglite' ? { kind: 'pglite', dataDir: path.join(home.dir, 'db') } : { kind: 'postgres', url: TEST_PG_URL, schema };
      dbArgs = backend === 'pglite' ? ['pglite', path.join(home.dir, 'db')] : ['postgres', TEST_PG_URL, schema];
      const clock = new ManualClock(Date.now());
      const { datasets, store } = await openService(home, db, clock);
      await datasets.create({ actor: ALICE, name: 'crash', keyId: 'dataset-key', retainUntilMs: Date.now() + 86_400_000 });
      await datasets.addVersion('crash', { actor: ALICE, files: [{ name: 'base.txt', open: () => [Buffer.from('base')] }] });
      await store.close();
    });
    afterAll(async () => {
      home.close();
      await rm(home.dir, { recursive: true, force: true });
      if (backend === 'postgres') await dropTestSchema(schema);
    });

    for (const stage of stages) {
      it(`killed at ${typeof stage === 'number' ? `a random time (${String(stage)} ms)` : stage}: no version or a complete one`, async () => {
        const clock = new ManualClock(Date.now());
        const before = await openService(home, db, clock);
        const versionsBefore = (await before.datasets.versions('crash')).length;
        await before.store.close();

        const { lines } = await runUntil([home.dir, 'crash', typeof stage === 'number' ? 'none' : stage, ...dbArgs], stage);
        const after = await openService(home, db, clock);
        try {
          const versions = await after.datasets.versions('crash');
          const committed = lines.includes('after-insert');
          expect(versions.length).toBe(versionsBefore + (committed ? 1 : 0));
          if (stage === 'file' || stage === 'before-insert') expect(committed).toBe(false);
          if (stage === 'after-insert') expect(versions.at(-1)?.ledgerIndex).toBeNull();
          await after.datasets.reconcile();
          const report = await after.datasets.verify('crash', { deep: true });
          expect(report).toMatchObject({ ok: true, problems: [] });
          if (committed) {
            const opened = await after.datasets.open(ALICE, 'crash');
            const second = opened.files.find((f) => f.name === 'second.bin');
            expect(second === undefined ? undefined : (await collect(after.datasets.read(opened, second))).equals(Buffer.alloc(3_000_000, 2))).toBe(true);
          }
          // Orphans stay while retention holds them, and go once it has passed.
          const referenced = await after.store.referencedBlobs();
          const total = await countBlobs(after.blobs);
          clock.set(Date.now() + 2 * 86_400_000);
          const gc = await after.datasets.gc(ALICE);
          expect(gc.deleted).toHaveLength(total - referenced.size);
          if (stage === 'before-insert') expect(gc.deleted.length).toBeGreaterThanOrEqual(3);
          expect(await countBlobs(after.blobs)).toBe(referenced.size);
          expect((await after.datasets.verify('crash', { deep: true })).ok).toBe(true);
        } finally {
          await after.store.close();
        }
      });
    }
  });
}

describeCrash('postgres', ['file', 'before-insert', 'after-insert', 40 + Math.floor(Math.random() * 400)]);
describeCrash('pglite', ['after-insert']);
