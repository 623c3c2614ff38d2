import { connect } from 'node:tls';
import { ManualClock, newId } from '@phiguard/core';
import { MemoryAuditRecorder } from '@phiguard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealBuffer } from '../envelope/seal-stream.ts';
import { unsealBuffer } from '../envelope/unseal-stream.ts';
import { startTransitTestServer, type TransitTestServer } from './transit-test-server.ts';
import { VaultTransitProvider } from './vault-transit-provider.ts';

// No Vault server exists on these machines: the provider talks HTTPS (TLS 1.3) to a local
// server that implements the transit endpoints as the Vault API documents them.
let server: TransitTestServer;
const audit = new MemoryAuditRecorder();
const actor = newId('usr', new ManualClock(Date.parse('2026-11-24T00:00:00Z')));
beforeAll(async () => { server = await startTransitTestServer(); });
afterAll(async () => { await server.close(); });

const providerWith = (token = server.token, ca: Buffer = server.ca): VaultTransitProvider => new VaultTransitProvider({ address: server.address, token, audit, ca });

describe('VaultTransitProvider over HTTPS', () => {
  it('creates, seals, rotates, rewraps and honours the minimum decryption version', async () => {
    const vault = providerWith();
    await vault.createKey(actor, 'ds-key');
    const envelope = await sealBuffer(Buffer.from('sealed via Vault'), { wrapWith: [{ provider: vault, keyId: 'ds-key' }] });
    expect((await unsealBuffer(envelope, { providers: [vault] })).toString()).toBe('sealed via Vault');
    expect(server.requests).toContain('POST /v1/transit/datakey/plaintext/ds-key');

    const dek = await vault.generateDataKey('ds-key');
    expect(dek.wrapped.version).toBe(1);
    expect(Buffer.from(dek.wrapped.wrapped).toString()).toMatch(/^vault:v1:/);
    expect(await vault.rotate(actor, 'ds-key')).toBe(2);
    const rewrapped = await vault.rewrapDataKey(dek.wrapped);
    expect(rewrapped.version).toBe(2);
    expect((await vault.unwrapDataKey(rewrapped)).equals(dek.plaintext)).toBe(true);
    const wrappedAgain = await vault.wrapDataKey('ds-key', dek.plaintext);
    expect(wrappedAgain.version).toBe(2);

    server.setMinDecryptionVersion('ds-key', 2);
    expect(await vault.describeKey('ds-key')).toMatchObject({ latestVersion: 2, minDecryptVersion: 2, provider: 'vault-transit' });
    await expect(vault.unwrapDataKey(dek.wrapped)).rejects.toMatchObject({ code: 'unwrap-failed' });
    await expect(unsealBuffer(envelope, { providers: [vault] })).rejects.toMatchObject({ code: 'no-usable-key' });
    expect(audit.events.map((e) => e.action)).toEqual(['key.create', 'key.rotate']);
  });

  it('maps refusals to typed errors: bad token, unknown key, tampered ciphertext', async () => {
    await expect(providerWith('hvs.wrong').generateDataKey('ds-key')).rejects.toMatchObject({ code: 'provider-error', message: expect.stringContaining('403') as unknown });
    const vault = providerWith();
    await expect(vault.generateDataKey('nope')).rejects.toMatchObject({ code: 'unknown-key' });
    await expect(vault.describeKey('nope')).rejects.toMatchObject({ code: 'unknown-key' });
    const dek = await vault.generateDataKey('ds-key');
    const text = Buffer.from(dek.wrapped.wrapped).toString();
    const tampered = `${text.slice(0, 12)}${text[12] === 'A' ? 'B' : 'A'}${text.slice(13)}`;
    await expect(vault.unwrapDataKey({ ...dek.wrapped, wrapped: Buffer.from(tampered) })).rejects.toMatchObject({ code: 'unwrap-failed' });
  });

  it('refuses an untrusted certificate, plain HTTP, and anything below TLS 1.3', async () => {
    await expect(providerWith(server.token, Buffer.from('')).generateDataKey('ds-key')).rejects.toMatchObject({ code: 'provider-unavailable' });
    expect(() => new VaultTransitProvider({ address: 'http://127.0.0.1:8200', token: 't', audit })).toThrow(TypeError);
    const { port } = new URL(server.address);
    const tls12 = await new Promise<string>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: Number(port), ca: server.ca, maxVersion: 'TLSv1.2' }, () => { resolve('connected'); socket.end(); });
      socket.on('error', (e: Error) => { resolve(e.message); });
    });
    expect(tls12).not.toBe('connected');
  });
});
