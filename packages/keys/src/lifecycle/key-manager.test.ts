import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ManualClock, newId } from '@phiguard/core';
import { MemoryAuditRecorder } from '@phiguard/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { sealBuffer } from '../envelope/seal-stream.ts';
import { unsealBuffer } from '../envelope/unseal-stream.ts';
import { bufferSource, readFrameLayout, unsealFrames } from '../envelope/unseal-frames.ts';
import { rewrapEnvelopeHeader } from '../envelope/rewrap-header.ts';
import { openKeystoreFile } from '../local/keystore-file.ts';
import { deserializeState } from '../local/keystore-state.ts';
import { initKeystore, openKeyManager, recoverKeystore } from './open-keystore.ts';
import type { KeyManagerOptions } from './key-manager.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'phiguard-keys-'));
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });
const clock = new ManualClock(Date.parse('2026-11-24T00:00:00Z'));
const [alice, c1, c2, c3, mallory] = Array.from({ length: 5 }, () => newId('usr', clock));
const keyFile = path.join(dir, 'master.key');
writeFileSync(keyFile, randomBytes(32), { mode: 0o600 });
const LOW_COST = { memoryKiB: 1024, iterations: 1, parallelism: 1 };

async function collect(parts: AsyncIterable<Buffer>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const p of parts) out.push(p);
  return Buffer.concat(out);
}

async function fresh(name: string): Promise<{ options: KeyManagerOptions; audit: MemoryAuditRecorder; shares: string[]; manager: Awaited<ReturnType<typeof initKeystore>>['manager'] }> {
  const audit = new MemoryAuditRecorder();
  const options = { file: path.join(dir, `${name}.json`), unlock: { kind: 'key-file', path: keyFile } as const, audit, clock };
  const { manager, recoveryShares } = await initKeystore({ ...options, actor: alice!, custodians: [c1!, c2!, c3!], threshold: 2 });
  return { options, audit, shares: recoveryShares, manager };
}

describe('KeyManager (local keystore)', () => {
  it('creates, rotates, rewraps and raises the minimum version; old data keeps opening until then', async () => {
    const { manager, audit } = await fresh('lifecycle');
    await manager.createKey(alice!, 'ds-key');
    const wrapWith = [{ provider: manager.provider, keyId: 'ds-key' }];
    const old = await sealBuffer(Buffer.from('v1 data'), { wrapWith });
    const dek = await manager.provider.generateDataKey('ds-key');
    expect((await manager.rotate(alice!, 'ds-key')).latestVersion).toBe(2);
    expect((await unsealBuffer(old, { providers: [manager.provider] })).toString()).toBe('v1 data');
    const [result] = await manager.rewrap(alice!, [dek.wrapped]);
    expect(result).toMatchObject({ ok: true, changed: true, wrapped: { version: 2 } });
    if (result?.ok !== true) throw new Error('unreachable');
    expect((await manager.provider.unwrapDataKey(result.wrapped)).equals(dek.plaintext)).toBe(true);
    await manager.raiseMinDecryptVersion(alice!, 'ds-key', 2);
    await expect(manager.provider.unwrapDataKey(dek.wrapped)).rejects.toMatchObject({ code: 'version-below-minimum' });
    await expect(unsealBuffer(old, { providers: [manager.provider] })).rejects.toMatchObject({ code: 'no-usable-key' });
    expect(audit.events.map((e) => e.action)).toEqual(['key.recovery-split', 'key.create', 'key.rotate', 'key.rewrap', 'key.min-version']);
    expect(audit.withAction('key.rewrap')[0]?.details).toMatchObject({ rewrapped: 1, failed: 0, toVersion: 2 });
    // The state survives a reopen from the file.
    const reopened = await openKeyManager({ file: path.join(dir, 'lifecycle.json'), unlock: { kind: 'key-file', path: keyFile }, audit, clock });
    expect(reopened.describe('ds-key')).toMatchObject({ latestVersion: 2, minDecryptVersion: 2, state: 'enabled' });
    expect(statSync(path.join(dir, 'lifecycle.json')).mode & 0o777).toBe(0o600);
  });

  it('rotates on schedule by the injected clock', async () => {
    const { manager } = await fresh('schedule');
    await manager.createKey(alice!, 'a', { rotationPeriodMs: 90 * 86_400_000 });
    await manager.createKey(alice!, 'b');
    expect(await manager.rotateDue(alice!)).toEqual([]);
    clock.advance(91 * 86_400_000);
    expect((await manager.rotateDue(alice!)).map((k) => [k.keyId, k.latestVersion])).toEqual([['a', 2]]);
    expect(await manager.rotateDue(alice!)).toEqual([]);
  });

  it('disable blocks sealing and unsealing until enabled again', async () => {
    const { manager } = await fresh('disable');
    await manager.createKey(alice!, 'k');
    const sealed = await sealBuffer(Buffer.from('x'), { wrapWith: [{ provider: manager.provider, keyId: 'k' }] });
    await manager.disable(alice!, 'k');
    await expect(sealBuffer(Buffer.from('x'), { wrapWith: [{ provider: manager.provider, keyId: 'k' }] })).rejects.toMatchObject({ code: 'key-disabled' });
    await expect(unsealBuffer(sealed, { providers: [manager.provider] })).rejects.toMatchObject({ code: 'no-usable-key', hint: expect.stringContaining('key-disabled') as unknown });
    await manager.enable(alice!, 'k');
    expect((await unsealBuffer(sealed, { providers: [manager.provider] })).toString()).toBe('x');
  });

  it('destroy needs M-of-N custodians; afterwards nothing decrypts, from memory or from the file', async () => {
    const { manager, audit, options } = await fresh('destroy');
    await manager.createKey(alice!, 'shred-me');
    const sealed = await sealBuffer(Buffer.from('secret'), { wrapWith: [{ provider: manager.provider, keyId: 'shred-me' }] });
    const request = await manager.request(alice!, 'destroy', 'shred-me');
    await expect(manager.destroy(alice!, request.id)).rejects.toMatchObject({ code: 'approval-required' });
    await expect(manager.approve(alice!, request.id)).rejects.toMatchObject({ code: 'not-custodian' });
    await expect(manager.approve(mallory!, request.id)).rejects.toMatchObject({ code: 'not-custodian' });
    await manager.approve(c1!, request.id);
    await expect(manager.approve(c1!, request.id)).rejects.toMatchObject({ code: 'duplicate-approval' });
    await expect(manager.destroy(alice!, request.id)).rejects.toMatchObject({ code: 'approval-required' });
    await manager.approve(c2!, request.id);
    await expect(manager.destroy(c1!, request.id)).rejects.toMatchObject({ code: 'approval-required' });
    expect((await manager.destroy(alice!, request.id)).state).toBe('destroyed');
    await expect(manager.destroy(alice!, request.id)).rejects.toMatchObject({ code: 'request-closed' });

    await expect(unsealBuffer(sealed, { providers: [manager.provider] })).rejects.toMatchObject({ code: 'no-usable-key' });
    await expect(manager.provider.generateDataKey('shred-me')).rejects.toMatchObject({ code: 'key-destroyed' });
    const reopened = await openKeyManager(options);
    await expect(unsealBuffer(sealed, { providers: [reopened.provider] })).rejects.toMatchObject({ code: 'no-usable-key' });
    // No other path decrypts either: random access, header rewrap, the batch rewrap.
    await expect(collect(unsealFrames(bufferSource(sealed), { first: 0, count: 1 }, { providers: [reopened.provider] }))).rejects.toMatchObject({ code: 'no-usable-key' });
    const { header } = await readFrameLayout(bufferSource(sealed));
    await expect(rewrapEnvelopeHeader(sealed.subarray(0, header.length), [reopened.provider])).rejects.toMatchObject({ code: 'key-destroyed' });
    expect(await reopened.rewrap(alice!, [...header.wrappedKeys])).toEqual([{ ok: false, code: 'key-destroyed' }]);
    const onDisk = deserializeState((await openKeystoreFile(options.file, options.unlock)).state);
    expect(onDisk.keys.get('shred-me')?.versions.every((v) => v.material === null)).toBe(true);

    const destroyed = audit.withAction('key.destroy');
    expect(destroyed.map((e) => e.reason ?? e.outcome)).toEqual(['approval-required', 'approval-required', 'approval-required', 'success', 'request-closed']);
    expect(destroyed[3]).toMatchObject({ actor: { id: alice }, outcome: 'success', details: { approver1: c1, approver2: c2, approvals: 2 } });
    expect(audit.withAction('key.approve').filter((e) => e.outcome === 'success').map((e) => e.actor.id)).toEqual([c1, c2]);
    expect(audit.withAction('key.approve').filter((e) => e.outcome === 'denied').map((e) => e.reason)).toEqual(['not-custodian', 'not-custodian', 'duplicate-approval']);
    expect(JSON.stringify(audit.events)).not.toMatch(/material|secret/);
  });

  it('a custodian who requested cannot approve; requests expire; export and lowering the minimum need approval', async () => {
    const { manager } = await fresh('rules');
    await manager.createKey(alice!, 'k');
    await manager.rotate(alice!, 'k');
    await manager.raiseMinDecryptVersion(alice!, 'k', 2);
    const lower = await manager.request(c1!, 'lower-min-version', 'k', 1);
    await expect(manager.approve(c1!, lower.id)).rejects.toMatchObject({ code: 'self-approval' });
    await manager.approve(c2!, lower.id);
    await expect(manager.lowerMinDecryptVersion(c1!, lower.id)).rejects.toMatchObject({ code: 'approval-required' });
    await manager.approve(c3!, lower.id);
    expect((await manager.lowerMinDecryptVersion(c1!, lower.id)).minDecryptVersion).toBe(1);

    const exported = await manager.request(alice!, 'export', 'k', 2);
    await expect(manager.exportKey(alice!, exported.id)).rejects.toMatchObject({ code: 'approval-required' });
    await manager.approve(c2!, exported.id);
    await manager.approve(c3!, exported.id);
    const material = await manager.exportKey(alice!, exported.id);
    expect(material).toHaveLength(32);

    const late = await manager.request(alice!, 'destroy', 'k', 1);
    clock.advance(25 * 3_600_000);
    await expect(manager.approve(c1!, late.id)).rejects.toMatchObject({ code: 'request-expired' });
  });

  it('two processes approving at once both count (file lock, read-modify-write from disk)', async () => {
    const { manager, options } = await fresh('concurrent');
    await manager.createKey(alice!, 'k');
    const request = await manager.request(alice!, 'destroy', 'k');
    const other = await openKeyManager(options);
    await Promise.all([manager.approve(c1!, request.id), other.approve(c2!, request.id)]);
    const third = await openKeyManager(options);
    expect(third.listRequests().find((r) => r.id === request.id)?.approvals.map((a) => a.by).sort()).toEqual([c1, c2].sort());
    expect((await third.destroy(alice!, request.id)).state).toBe('destroyed');
    // The others see the destruction on their next operation (or reload) and cannot undo it.
    await expect(manager.rotate(alice!, 'k')).rejects.toMatchObject({ code: 'key-destroyed' });
    await other.reload();
    await expect(other.provider.generateDataKey('k')).rejects.toMatchObject({ code: 'key-destroyed' });
  });

  it('destroys one old version only: data under it is shredded, newer data still opens', async () => {
    const { manager } = await fresh('version');
    await manager.createKey(alice!, 'k');
    const wrapWith = [{ provider: manager.provider, keyId: 'k' }];
    const v1 = await sealBuffer(Buffer.from('one'), { wrapWith });
    await manager.rotate(alice!, 'k');
    const v2 = await sealBuffer(Buffer.from('two'), { wrapWith });
    const request = await manager.request(alice!, 'destroy', 'k', 1);
    await manager.approve(c3!, request.id);
    await manager.approve(c2!, request.id);
    await manager.destroy(alice!, request.id);
    await expect(unsealBuffer(v1, { providers: [manager.provider] })).rejects.toMatchObject({ code: 'no-usable-key' });
    expect((await unsealBuffer(v2, { providers: [manager.provider] })).toString()).toBe('two');
  });

  it('unlocks with an argon2id passphrase; M Shamir shares recover a lost passphrase, fewer do not', async () => {
    const audit = new MemoryAuditRecorder();
    const file = path.join(dir, 'passphrase.json');
    const unlock = { kind: 'passphrase', passphrase: 'correct horse battery staple' } as const;
    const { manager, recoveryShares } = await initKeystore({ file, unlock, audit, clock, argon2: LOW_COST, actor: alice!, custodians: [c1!, c2!, c3!], threshold: 2 });
    expect(recoveryShares).toHaveLength(3);
    await manager.createKey(alice!, 'k');
    const sealed = await sealBuffer(Buffer.from('kept'), { wrapWith: [{ provider: manager.provider, keyId: 'k' }] });
    await expect(initKeystore({ file, unlock, audit, clock, actor: alice!, custodians: [c1!, c2!], threshold: 2 })).rejects.toMatchObject({ code: 'keystore-exists' });
    await expect(openKeyManager({ file, unlock: { kind: 'passphrase', passphrase: 'wrong' }, audit, clock })).rejects.toMatchObject({ code: 'keystore-locked' });

    const newUnlock = { kind: 'passphrase', passphrase: 'a new passphrase' } as const;
    await expect(recoverKeystore({ file, unlock: newUnlock, audit, clock, argon2: LOW_COST, actor: c1!, shares: [recoveryShares[0]!] })).rejects.toMatchObject({ code: 'recovery-failed' });
    const recovered = await recoverKeystore({ file, unlock: newUnlock, audit, clock, argon2: LOW_COST, actor: c1!, shares: [recoveryShares[2]!, recoveryShares[0]!] });
    expect((await unsealBuffer(sealed, { providers: [recovered.provider] })).toString()).toBe('kept');
    await expect(openKeyManager({ file, unlock, audit, clock })).rejects.toMatchObject({ code: 'keystore-locked' });
    expect((await openKeyManager({ file, unlock: newUnlock, audit, clock })).describe('k').latestVersion).toBe(1);
    expect(audit.withAction('key.recover')).toHaveLength(1);
  });
});
