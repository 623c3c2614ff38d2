import { createHash, createPublicKey, sign as edSign, verify as edVerify, type KeyObject } from 'node:crypto';
import { canonicalJsonBytes, deepFreeze } from '@phiguard/core';
import { DeidError } from '../context/deid-error.ts';
import type { DeidManifest, ManifestSigner, SignedDeidManifest } from './deid-manifest.ts';

/** Signs the manifest's RFC 8785 canonical JSON with the injected Ed25519 signer (RFC 8032). */
export async function signManifest(manifest: DeidManifest, signer: ManifestSigner): Promise<SignedDeidManifest> {
  const bytes = canonicalJsonBytes(manifest);
  const signature = await signer.sign(bytes);
  if (signature.length !== 64) throw new DeidError('manifest-invalid', 'an Ed25519 signature is 64 bytes');
  return deepFreeze({
    manifest,
    hash: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
    signature: { alg: 'Ed25519', keyId: signer.keyId, value: Buffer.from(signature).toString('base64') },
  });
}

/** True when the signature and hash match the manifest under this Ed25519 public key. */
export function verifyManifest(signed: SignedDeidManifest, publicKey: KeyObject): boolean {
  if (publicKey.asymmetricKeyType !== 'ed25519') return false;
  const bytes = canonicalJsonBytes(signed.manifest);
  if (signed.hash !== `sha256:${createHash('sha256').update(bytes).digest('hex')}`) return false;
  return edVerify(null, bytes, publicKey, Buffer.from(signed.signature.value, 'base64'));
}

/**
 * A {@link ManifestSigner} over an in-memory Ed25519 private key; its id is `sha256:` + hex of the
 * SPKI DER public key. HSM- or KMS-backed signers implement the same interface.
 */
export function ed25519ManifestSigner(privateKey: KeyObject): ManifestSigner {
  if (privateKey.asymmetricKeyType !== 'ed25519' || privateKey.type !== 'private') throw new TypeError('an Ed25519 private key is required');
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const keyId = `sha256:${createHash('sha256').update(spki).digest('hex')}`;
  return { keyId, sign: (bytes) => Promise.resolve(edSign(null, bytes, privateKey)) };
}
