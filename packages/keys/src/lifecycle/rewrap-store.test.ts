import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ManualClock, newId } from '@phiguard/core';
import { MemoryAuditRecorder } from '@phiguard/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { initKeystore, openKeyManager } from './open-keystore.ts';
import { FileWrappedKeyStore, rewrapStore } from './rewrap-store.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'phiguard-crash-'));
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });
const clock = new ManualClock(Date.parse('2026-11-24T00:00:00Z'));
const actor = newId('usr', clock);
const custodians = [newId('usr', clock), newId('usr', clock)];
const keyFile = path.join(dir, 'master.key');
writeFileSync(keyFile, randomBytes(32), { mode: 0o600 });
const unlock = { kind: 'key-file', path: keyFile } as const;

/** Runs the child and SIGKILLs it once `stop(lines)` says so; returns the lines it printed. */
function runAndKill(args: string[], stop: (lines: string[]) => boolean): Promise<{ lines: string[]; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(here, 'crash-child.fixture.ts'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let pending = '';
    let killed = false;
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      pending += d.toString();
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      lines.push(...parts);
      if (!killed && stop(lines)) {
        killed = child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (!killed && code !== 0) reject(new Error(`child failed (${String(code ?? signal)}): ${stderr}`));
      else resolve({ lines, killed });
    });
  });
}

describe('crash safety (kill -9)', () => {
  it('an interrupted rewrap loses no DEK, and resuming finishes it', async () => {
    const audit = new MemoryAuditRecorder();
    const file = path.join(dir, 'rewrap.json');
    const { manager } = await initKeystore({ file, unlock, audit, clock, actor, custodians, threshold: 2 });
    await manager.createKey(actor, 'k');
    const store = new FileWrappedKeyStore(path.join(dir, 'deks'));
    const originals = new Map<string, Buffer>();
    for (let i = 0; i < 150; i++) {
      const dek = await manager.provider.generateDataKey('k');
      const id = `rec-${String(i).padStart(3, '0')}`;
      await store.put(id, dek.wrapped);
      originals.set(id, dek.plaintext);
    }
    await manager.rotate(actor, 'k');

    const { lines, killed } = await runAndKill(['rewrap', file, keyFile, path.join(dir, 'deks'), actor], (l) => l.some((x) => x.startsWith('progress')));
    expect(lines.length).toBeGreaterThan(0);
    const reopened = await openKeyManager({ file, unlock, audit, clock });
    const versions = await Promise.all((await store.ids()).map(async (id) => (await store.get(id)).version));
    expect(versions).toHaveLength(150);
    if (killed && !lines.includes('finished')) expect(versions).toContain(2);

    const report = await rewrapStore(reopened, store, actor);
    expect(report.failed).toEqual([]);
    await reopened.raiseMinDecryptVersion(actor, 'k', 2);
    for (const [id, plaintext] of originals) {
      const wrapped = await store.get(id);
      expect(wrapped.version).toBe(2);
      expect((await reopened.provider.unwrapDataKey(wrapped)).equals(plaintext)).toBe(true);
    }
  });

  it('an interrupted rotation leaves a keystore that opens, with every acknowledged version', async () => {
    const audit = new MemoryAuditRecorder();
    const file = path.join(dir, 'rotate.json');
    const { manager } = await initKeystore({ file, unlock, audit, clock, actor, custodians, threshold: 2 });
    await manager.createKey(actor, 'k');
    const storeDir = path.join(dir, 'rot-deks');
    const { lines } = await runAndKill(['rotate', file, keyFile, storeDir, actor], (l) => l.filter((x) => x.startsWith('ack')).length >= 8);
    const acks = lines.filter((x) => x.startsWith('ack')).map((x) => x.split(' '));
    expect(acks.length).toBeGreaterThanOrEqual(8);
    const reopened = await openKeyManager({ file, unlock, audit, clock });
    const store = new FileWrappedKeyStore(storeDir);
    expect(reopened.describe('k').latestVersion).toBeGreaterThanOrEqual(Number(acks.at(-1)?.[2]));
    for (const [, n, version, hex] of acks) {
      const wrapped = await store.get(`dek-${n ?? ''}`);
      expect(wrapped.version).toBe(Number(version));
      expect((await reopened.provider.unwrapDataKey(wrapped)).toString('hex')).toBe(hex);
    }
  });
});
