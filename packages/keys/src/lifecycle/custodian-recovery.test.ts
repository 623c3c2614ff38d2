import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ManualClock, newId } from '@phiguard/core';
import { MemoryAuditRecorder } from '@phiguard/testkit';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { sealBuffer } from '../envelope/seal-stream.ts';
import { unsealBuffer } from '../envelope/unseal-stream.ts';
import { recoverKeystoreByCustodians, recoveryThreshold } from './custodian-recovery.ts';
import { decryptDataKey, issueDataKey } from './data-key-use.ts';
import { initKeystore, openKeyManager } from './open-keystore.ts';
import { RecoveryCollector } from './recovery-collector.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'phiguard-recovery-'));
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });
const clock = new ManualClock(Date.parse('2026-11-24T00:00:00Z'));
const [alice, c1, c2, c3, stranger] = Array.from({ length: 5 }, (): string => newId('usr', clock)) as unknown as [string, string, string, string, string];
const LOW_COST = { memoryKiB: 1024, iterations: 1, parallelism: 1 };
const keyFile = (name: string): string => {
  const file = path.join(dir, `${name}.key`);
  writeFileSync(file, randomBytes(32), { mode: 0o600 });
  return file;
};

async function fresh(name: string, custodians = [c1, c2, c3]): Promise<{ file: string; shares: string[]; audit: MemoryAuditRecorder }> {
  const audit = new MemoryAuditRecorder();
  const file = path.join(dir, `${name}.json`);
  const { manager, recoveryShares } = await initKeystore({ file, unlock: { kind: 'key-file', path: keyFile(`${name}-old`) }, audit, clock, argon2: LOW_COST, actor: alice, custodians, threshold: 2 });
  await manager.createKey(alice, 'ds-key');
  manager.close();
  return { file, shares: recoveryShares, audit };
}

describe('RecoveryCollector (shares held in memory)', () => {
  it('takes one share per custodian, refuses a second one and a share given twice, and drops everything when the window closes', () => {
    const clock2 = new ManualClock(0);
    const collector = new RecoveryCollector(clock2, 60_000);
    const share = `pgks1-${'ab'.repeat(33)}`;
    expect(collector.add(c1, share)).toBe(1);
    expect(() => collector.add(c1, `pgks1-${'cd'.repeat(33)}`)).toThrow(expect.objectContaining({ code: 'self-approval' }) as Error);
    expect(() => collector.add(c2, share)).toThrow(expect.objectContaining({ code: 'recovery-failed' }) as Error);
    expect(() => collector.add(c2, 'not a share')).toThrow(expect.objectContaining({ code: 'recovery-failed' }) as Error);
    expect(collector.expiresAtMs).toBe(60_000);
    clock2.advance(60_000);
    expect(collector.received).toBe(0);
    expect(collector.add(c1, share)).toBe(1);
    const taken = collector.take();
    expect(taken.submitters).toEqual([c1]);
    expect(collector.received).toBe(0);
  });

  it('take hands the shares over and forgets them; clear forgets what is held', () => {
    const collector = new RecoveryCollector(clock);
    collector.add(c1, `pgks1-${'ff'.repeat(33)}`);
    collector.add(c2, `pgks1-${'ee'.repeat(33)}`);
    const held = collector.take();
    collector.add(c3, `pgks1-${'dd'.repeat(33)}`);
    collector.clear();
    expect(held.parts.every((p) => p.some((b) => b !== 0))).toBe(true);
    expect(collector.received).toBe(0);
  });
});

describe('recoverKeystoreByCustodians', () => {
  it('recovers with shares from two custodians under a new key file; data sealed before still opens; the ledger names who, never a share', async () => {
    const { file, shares, audit } = await fresh('two');
    expect(await recoveryThreshold(file)).toBe(2);
    const before = await openKeyManager({ file, unlock: { kind: 'key-file', path: path.join(dir, 'two-old.key') }, audit, clock });
    const sealed = await sealBuffer(Buffer.from('sealed before'), { wrapWith: [{ provider: before.provider, keyId: 'ds-key' }] });
    before.close();
    const collector = new RecoveryCollector(clock);
    collector.add(c2, shares[1] ?? '');
    collector.add(c3, shares[2] ?? '');
    const { parts, submitters } = collector.take();
    const newKey = keyFile('two-new');
    const manager = await recoverKeystoreByCustodians({ file, unlock: { kind: 'key-file', path: newKey }, audit, clock, argon2: LOW_COST, parts, submitters });
    expect(parts.every((p) => p.every((b) => b === 0))).toBe(true);
    expect((await unsealBuffer(sealed, { providers: [manager.provider] })).toString()).toBe('sealed before');
    manager.close();
    await expect(openKeyManager({ file, unlock: { kind: 'key-file', path: path.join(dir, 'two-old.key') }, audit, clock })).rejects.toMatchObject({ code: 'keystore-locked' });
    expect(audit.withAction('key.recover')[0]).toMatchObject({ actor: { id: c3 }, details: { shares: 2, remote: true, custodian1: c2 } });
    const ledger = JSON.stringify(audit.events);
    for (const share of shares) expect(ledger).not.toContain(share.slice(6, 40));
  });

  it('refuses shares from someone who is not a custodian of this keystore, and changes nothing', async () => {
    const { file, shares, audit } = await fresh('stranger');
    const bytes = readFileSync(file);
    const collector = new RecoveryCollector(clock);
    collector.add(c1, shares[0] ?? '');
    collector.add(stranger, shares[1] ?? '');
    await expect(recoverKeystoreByCustodians({ file, unlock: { kind: 'key-file', path: keyFile('stranger-new') }, audit, clock, argon2: LOW_COST, ...collector.take() })).rejects.toMatchObject({ code: 'not-custodian' });
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it('any two distinct shares of three recover; one share alone or a foreign share does not (property)', async () => {
    const { file, shares, audit } = await fresh('prop');
    const other = await fresh('prop-other');
    const custodians = [c1, c2, c3];
    await fc.assert(fc.asyncProperty(fc.uniqueArray(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 2 }), fc.boolean(), async (picked, foreign) => {
      const collector = new RecoveryCollector(clock);
      picked.forEach((i, n) => collector.add(custodians[i] ?? '', (foreign && n === 0 ? other.shares : shares)[i] ?? ''));
      const attempt = recoverKeystoreByCustodians({ file, unlock: { kind: 'key-file', path: path.join(dir, 'prop-old.key') }, audit, clock, argon2: LOW_COST, ...collector.take() });
      if (picked.length === 2 && !foreign) (await attempt).close();
      else await expect(attempt).rejects.toMatchObject({ code: 'recovery-failed' });
    }), { numRuns: 12 });
  });
});

describe('data keys for client-side sealing (issueDataKey, decryptDataKey)', () => {
  it('issues and decrypts as the caller with purpose and request id; a destroyed key is refused and the refusal ledgered', async () => {
    const { file, audit } = await fresh('dek');
    const manager = await openKeyManager({ file, unlock: { kind: 'key-file', path: path.join(dir, 'dek-old.key') }, audit, clock });
    const caller = { actor: { kind: 'user' as const, id: alice }, purpose: 'HRESCH' as const, requestId: 'req-1' };
    const dataKey = await issueDataKey(manager, caller, 'ds-key');
    const back = await decryptDataKey(manager, caller, dataKey.wrapped);
    expect(back.equals(dataKey.plaintext)).toBe(true);
    const request = await manager.request(alice, 'destroy', 'ds-key');
    await manager.approve(c1, request.id);
    await manager.approve(c2, request.id);
    await manager.destroy(alice, request.id);
    await expect(decryptDataKey(manager, caller, dataKey.wrapped)).rejects.toMatchObject({ code: 'key-destroyed' });
    await expect(issueDataKey(manager, caller, 'ds-key')).rejects.toMatchObject({ code: 'key-destroyed' });
    expect(audit.withAction('key.generate-data-key').map((e) => [e.outcome, e.purpose, e.requestId, e.details?.version ?? null])).toEqual([['success', 'HRESCH', 'req-1', 1], ['failure', 'HRESCH', 'req-1', null]]);
    expect(audit.withAction('key.decrypt-data-key').map((e) => [e.outcome, e.reason ?? null])).toEqual([['success', null], ['failure', 'key-destroyed']]);
    const ledger = JSON.stringify(audit.events);
    expect(ledger).not.toContain(dataKey.plaintext.toString('base64'));
    expect(ledger).not.toContain(dataKey.plaintext.toString('hex'));
    manager.close();
  });
});
