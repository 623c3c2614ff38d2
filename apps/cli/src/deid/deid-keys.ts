import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEID_KEY_BYTES, deidKeyFromSecret, ed25519ManifestSigner, type DeidKey, type ManifestSigner } from '@phiguard/deid';
import { BatchError } from './batch-error.ts';

/**
 * The de-identification key: 32 raw bytes in a file readable by its owner only (mode 0600).
 * Created with fresh random bytes on first use when `create` is set; refused when group or
 * others can read it. The key id is a hash of its public derivation, never the key.
 */
export function loadOrCreateDeidKey(file: string, create: boolean): { key: DeidKey; created: boolean } {
  const stat = statSync(file, { throwIfNoEntry: false });
  if (stat === undefined) {
    if (!create) throw new BatchError('key-file', 'the key file does not exist', { place: { file }, hint: 'leave out --key-file to create .phiguard/deid.key' });
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const secret = randomBytes(DEID_KEY_BYTES);
    writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
    return { key: deidKeyFromSecret(secret), created: true };
  }
  checkPrivate(file, stat.mode);
  const secret = readFileSync(file);
  if (secret.length !== DEID_KEY_BYTES) throw new BatchError('key-file', `the key file must hold exactly ${String(DEID_KEY_BYTES)} bytes`, { place: { file } });
  return { key: deidKeyFromSecret(secret), created: false };
}

/** The Ed25519 key that signs manifests (PKCS#8 PEM, mode 0600), created on first use. */
export function loadOrCreateManifestSigner(file: string): ManifestSigner {
  const stat = statSync(file, { throwIfNoEntry: false });
  if (stat === undefined) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    return ed25519ManifestSigner(privateKey);
  }
  checkPrivate(file, stat.mode);
  return ed25519ManifestSigner(createPrivateKey(readFileSync(file)));
}

function checkPrivate(file: string, mode: number): void {
  if ((mode & 0o077) !== 0) {
    throw new BatchError('key-file', 'the key file can be read by group or others', { place: { file }, hint: `chmod 600 ${file}` });
  }
}
