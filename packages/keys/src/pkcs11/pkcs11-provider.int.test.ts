import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ManualClock, newId } from '@phiguard/core';
import { MemoryAuditRecorder } from '@phiguard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealBuffer } from '../envelope/seal-stream.ts';
import { unsealBuffer } from '../envelope/unseal-stream.ts';
import { createMemoryKeyProvider } from '../local/memory-key-provider.ts';
import { pkcs11Available } from './pkcs11-module.ts';
import { Pkcs11Provider } from './pkcs11-provider.ts';

// SoftHSM2 (Debian softhsm2) as the HSM, its own token folder per run. pkcs11js is an optional
// native addon: without it this suite is skipped (the provider then fails with provider-unavailable).
const LIBRARY = '/usr/lib/softhsm/libsofthsm2.so';
const runnable = pkcs11Available() && existsSync(LIBRARY);
const dir = mkdtempSync(path.join(tmpdir(), 'phiguard-softhsm-'));
const audit = new MemoryAuditRecorder();
const actor = newId('usr', new ManualClock(Date.parse('2026-11-24T00:00:00Z')));
let provider: Pkcs11Provider | undefined;
let wrongPin: unknown;

function fails(tokenLabel: string, pin: string): unknown {
  try {
    Pkcs11Provider.open({ library: LIBRARY, tokenLabel, pin, audit }).close(false);
    return undefined;
  } catch (error) {
    return error;
  }
}

beforeAll(() => {
  if (!runnable) return;
  mkdirSync(path.join(dir, 'tokens'));
  const conf = path.join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${path.join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  process.env.SOFTHSM2_CONF = conf;
  execFileSync('softhsm2-util', ['--init-token', '--free', '--label', 'T', '--pin', '1234', '--so-pin', '5678'], { env: { ...process.env, SOFTHSM2_CONF: conf }, stdio: 'pipe' });
  wrongPin = fails('T', '0000'); // before anyone logs in: login state is per process
  provider = Pkcs11Provider.open({ library: LIBRARY, tokenLabel: 'T', pin: '1234', audit });
});
afterAll(() => {
  provider?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!runnable)('Pkcs11Provider against SoftHSM2', () => {
  it('refuses a wrong PIN and an unknown token', () => {
    expect(wrongPin).toMatchObject({ code: 'provider-unavailable', message: 'PKCS#11 login failed' });
    expect(fails('nope', '1234')).toMatchObject({ code: 'provider-unavailable', message: 'no PKCS#11 token with this label' });
    expect(fails('T', '1234')).toBeUndefined();
  });

  it('wraps in the token with AES-GCM, seals and unseals an envelope, rotates and rewraps', async () => {
    const p = provider!;
    expect(await p.createVersion(actor, 'hsm-key')).toBe(1);
    const envelope = await sealBuffer(Buffer.from('sealed by the HSM'), { wrapWith: [{ provider: p, keyId: 'hsm-key' }], frameSize: 64 });
    expect((await unsealBuffer(envelope, { providers: [p] })).toString()).toBe('sealed by the HSM');

    const dek = await p.generateDataKey('hsm-key');
    expect(dek.wrapped).toMatchObject({ provider: 'pkcs11', version: 1 });
    expect(await p.createVersion(actor, 'hsm-key')).toBe(2);
    const rewrapped = await p.rewrapDataKey(dek.wrapped);
    expect(rewrapped.version).toBe(2);
    expect((await p.unwrapDataKey(rewrapped)).equals(dek.plaintext)).toBe(true);
    expect((await p.unwrapDataKey(dek.wrapped)).equals(dek.plaintext)).toBe(true);
    expect(await p.describeKey('hsm-key')).toMatchObject({ latestVersion: 2, provider: 'pkcs11' });
    expect(audit.events.map((e) => [e.action, e.details?.version])).toEqual([['key.create', 1], ['key.rotate', 2]]);

    const tampered = Buffer.from(dek.wrapped.wrapped);
    tampered[20] = (tampered[20] ?? 0) ^ 1;
    await expect(p.unwrapDataKey({ ...dek.wrapped, wrapped: tampered })).rejects.toMatchObject({ code: 'unwrap-failed' });
    // Bound to key id and version: the same bytes claimed for another version do not open.
    await expect(p.unwrapDataKey({ ...dek.wrapped, version: 2 })).rejects.toMatchObject({ code: 'unwrap-failed' });
    await expect(p.unwrapDataKey({ ...dek.wrapped, keyId: 'other' })).rejects.toMatchObject({ code: 'unknown-key' });
  });

  it('an envelope wrapped for the HSM and a local key opens with either', async () => {
    const p = provider!;
    await p.createVersion(actor, 'both');
    const local = createMemoryKeyProvider(['both']).provider;
    const envelope = await sealBuffer(Buffer.from('two keys'), { wrapWith: [{ provider: p, keyId: 'both' }, { provider: local, keyId: 'both' }] });
    expect((await unsealBuffer(envelope, { providers: [local] })).toString()).toBe('two keys');
    expect((await unsealBuffer(envelope, { providers: [p] })).toString()).toBe('two keys');
  });
});
