// Crash safety (ARCHITECTURE §5, HIPAA §164.312(c)(1)): whatever record() acknowledged survives
// kill -9 of the writing process, and the log still verifies. Runs on PGlite and PostgreSQL.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from '@phiguard/core';
import { afterAll, describe, expect, it } from 'vitest';
import { parseVerifierKey } from '../checkpoint/signed-note.ts';
import { dropTestSchema, randomTestSchema, TEST_PG_URL } from '../store/pg-test-schema.ts';
import { openPgliteLedgerStore, openPostgresLedgerStore } from '../store/open-ledger-store.ts';
import type { LedgerStore } from '../store/ledger-store.ts';
import { verifyLog } from '../tiles/verify-log.ts';
import { parseLeaf } from './audit-leaf.ts';
import { Ledger } from './ledger.ts';
import { checkpointSigner, loadOrCreateSignerKeys } from './signer-key-file.ts';

const CRASH_ORIGIN = 'crash.phiguard/audit';
const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'ledger-crash-child.ts');
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

interface Run {
  readonly acks: Map<number, number>;
  readonly stderr: string;
}

/** Starts the child, lets it acknowledge `killAfter` records, then kills it with SIGKILL. */
function runUntilKilled(args: readonly string[], killAfter: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, CRASH_ORIGIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acks = new Map<number, number>();
    let stderr = '';
    let buffered = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const [word, index, count] = line.split(' ');
        if (word === 'ack') acks.set(Number(index), Number(count));
      }
      if (acks.size >= killAfter) proc.kill('SIGKILL');
    });
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ acks, stderr });
      else reject(new Error(`crash child exited by itself (code ${String(code)}): ${stderr}`));
    });
  });
}

async function checkAfterCrash(home: string, open: () => Promise<LedgerStore>, acks: Map<number, number>): Promise<number> {
  const keys = loadOrCreateSignerKeys(home, CRASH_ORIGIN);
  const store = await open();
  const report = await verifyLog(store, keys.trusted.map((k) => parseVerifierKey(k)), { origin: CRASH_ORIGIN });
  expect(report).toMatchObject({ ok: true });
  // Resuming re-checks the signed checkpoint against the stored tiles, then appends on top.
  const ledger = await Ledger.open({ store, signer: checkpointSigner(keys), clock: systemClock, origin: CRASH_ORIGIN, maxBatchSize: 64, maxBatchDelayMs: 0 });
  const size = ledger.head.size;
  for (const [index, count] of acks) {
    expect(index).toBeLessThan(size);
    const [entry] = await ledger.readFrom(index, 1);
    expect(entry?.event.details?.count).toBe(count);
  }
  const next = await ledger.record({ actor: { kind: 'system', id: 'ledger' }, action: 'ledger.resume', outcome: 'success' });
  expect(next.index).toBe(size);
  expect(parseLeaf((await store.getEntry(size)) ?? Buffer.alloc(0)).action).toBe('ledger.resume');
  await ledger.close();
  return size;
}

describe('kill -9 while appending', () => {
  it('PGlite: every acknowledged entry survives and the log verifies', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'ledger-crash-'));
    cleanups.push(() => {
      rmSync(home, { recursive: true, force: true });
      return Promise.resolve();
    });
    const dataDir = path.join(home, 'db');
    // One round: PGlite takes seconds to start on a busy 2-core machine.
    const { acks } = await runUntilKilled([home, 'pglite', dataDir], 30 + Math.floor(Math.random() * 200));
    expect(acks.size).toBeGreaterThan(0);
    await checkAfterCrash(home, () => openPgliteLedgerStore(dataDir), acks);
  });

  it('PostgreSQL: every acknowledged entry survives and the log verifies', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'ledger-crash-'));
    const schema = randomTestSchema('ledger_crash');
    cleanups.push(async () => {
      rmSync(home, { recursive: true, force: true });
      await dropTestSchema(schema);
    });
    for (let round = 0; round < 3; round++) {
      const { acks } = await runUntilKilled([home, 'postgres', TEST_PG_URL, schema], 50 + Math.floor(Math.random() * 1000));
      expect(acks.size).toBeGreaterThan(0);
      await checkAfterCrash(home, () => openPostgresLedgerStore({ url: TEST_PG_URL, schema }), acks);
    }
  });
});
