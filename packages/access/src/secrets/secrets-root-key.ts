import { readFileSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { writeFileAtomic } from '@phiguard/core';
import { AccessError } from '../access-error.ts';

/** A wrapped data key as @phiguard/keys' KeyProvider hands it out (structural: no dependency on keys). */
export interface WrappedRootKey {
  readonly provider: string;
  readonly keyId: string;
  readonly version: number;
  readonly wrapped: Uint8Array;
}

/** The part of @phiguard/keys' `KeyProvider` the root key needs (local keystore, PKCS#11, Vault transit). */
export interface RootKeyProvider {
  generateDataKey(keyId: string): Promise<{ readonly plaintext: Buffer; readonly wrapped: WrappedRootKey }>;
  unwrapDataKey(wrapped: WrappedRootKey): Promise<Buffer>;
}

/** `<home>/access-secrets.key`: the root key as a local file (embedded mode, no key provider). */
export const ROOT_KEY_FILE = 'access-secrets.key';
/** `<home>/access-secrets.wrapped.json`: the root key wrapped by a key provider's KEK. */
export const WRAPPED_ROOT_KEY_FILE = 'access-secrets.wrapped.json';

const privateMode = (file: string): void => {
  if ((statSync(file).mode & 0o077) !== 0) throw new AccessError('sealed-secret-invalid', 'the access secrets key file is readable by group or others; chmod 600 it', { place: { path: file } });
};

/**
 * The 32-byte root key of {@link SecretBox} kept in a 0600 file, created on first use (like the
 * ledger's signer key). Protects the database's secrets against a database dump or backup that
 * does not include the server's data folder.
 */
export async function loadOrCreateRootKeyFile(file: string): Promise<Buffer> {
  try {
    privateMode(file);
    const key = readFileSync(file);
    if (key.length !== 32) throw new AccessError('sealed-secret-invalid', 'the access secrets key file must hold 32 bytes', { place: { path: file } });
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(32);
  await writeFileAtomic(file, key, { mode: 0o600, mkdir: true });
  return key;
}

/**
 * The root key as a data key wrapped by `keyId` of a key provider (envelope encryption, docs/keys.md):
 * the wrapped form sits in a file, the plaintext only in this process's memory. Created on first use.
 */
export async function loadOrCreateWrappedRootKey(file: string, provider: RootKeyProvider, keyId: string): Promise<Buffer> {
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (text !== undefined) {
    const stored = JSON.parse(text) as { provider: string; keyId: string; version: number; wrapped: string };
    return provider.unwrapDataKey({ provider: stored.provider, keyId: stored.keyId, version: stored.version, wrapped: Buffer.from(stored.wrapped, 'base64') });
  }
  const fresh = await provider.generateDataKey(keyId);
  const { wrapped } = fresh;
  await writeFileAtomic(file, `${JSON.stringify({ provider: wrapped.provider, keyId: wrapped.keyId, version: wrapped.version, wrapped: Buffer.from(wrapped.wrapped).toString('base64') })}\n`, { mode: 0o600, mkdir: true });
  return fresh.plaintext;
}
