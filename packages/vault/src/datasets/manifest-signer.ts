import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '@phiguard/core';

/** Signs manifest bytes (Ed25519, RFC 8032). Injected so a deployment can use an HSM or a KMS. */
export interface ManifestSigner {
  /** `ed25519-` and 16 hex digits of SHA-256(SPKI of the public key). */
  readonly keyId: string;
  sign(data: Uint8Array): Promise<Uint8Array>;
}

export interface ManifestVerifier {
  readonly keyId: string;
  verify(data: Uint8Array, signature: Uint8Array): boolean;
}

export function ed25519KeyIdOf(publicKey: KeyObject): string {
  return `ed25519-${createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16)}`;
}

export function ed25519ManifestSigner(privateKey: KeyObject): ManifestSigner {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new TypeError('manifest signer needs an Ed25519 private key');
  const keyId = ed25519KeyIdOf(createPublicKey(privateKey));
  return Object.freeze({ keyId, sign: (data: Uint8Array) => Promise.resolve(sign(null, data, privateKey)) });
}

export function ed25519ManifestVerifier(publicKey: KeyObject): ManifestVerifier {
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new TypeError('manifest verifier needs an Ed25519 public key');
  const keyId = ed25519KeyIdOf(publicKey);
  return Object.freeze({
    keyId,
    verify: (data: Uint8Array, signature: Uint8Array) => {
      try {
        return verify(null, data, publicKey, signature);
      } catch {
        return false;
      }
    },
  });
}

/** A fresh in-memory signer and its verifier (tests, throwaway stores). */
export function generateManifestSigner(): { signer: ManifestSigner; verifier: ManifestVerifier } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { signer: ed25519ManifestSigner(privateKey), verifier: ed25519ManifestVerifier(publicKey) };
}

/**
 * The signer key file (PKCS#8 PEM, mode 0600), created on first use; e.g.
 * `<home>/vault/manifest-signer.pem`.
 */
export async function loadOrCreateManifestSigner(file: string): Promise<{ signer: ManifestSigner; verifier: ManifestVerifier }> {
  let pem = await readFile(file, 'utf8').catch(() => undefined);
  if (pem === undefined) {
    const { privateKey } = generateKeyPairSync('ed25519');
    pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await writeFileAtomic(file, pem, { mkdir: true });
  }
  const privateKey = createPrivateKey(pem);
  return { signer: ed25519ManifestSigner(privateKey), verifier: ed25519ManifestVerifier(createPublicKey(privateKey)) };
}
