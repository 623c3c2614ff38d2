import { randomBytes } from 'node:crypto';
import { KeysError, type DataKey as EnvelopeDataKey, type KeyMetadata, type KeyProvider, type WrappedDataKey } from '@phiguard/keys';
import { releaseCipherSuite, X25519_PUBLIC_KEY_BYTES } from './release-suite.ts';

/** The provider id written into the envelope headers of job outputs. */
export const UPLOAD_PROVIDER_ID = 'hpke-upload';

const encoder = new TextEncoder();
/** HPKE `info` (RFC 9180 §5.1): a wrapped output key belongs to one job. */
const info = (jobId: string): Uint8Array => encoder.encode(`phiguard/job-output/v1\u0000job=${jobId}`);
const ENC_BYTES = 32; // DHKEM(X25519) Nenc, RFC 9180 §7.1

/**
 * Job outputs are sealed on the node with **new** data keys (issue 8): each output file gets a
 * fresh 32-byte DEK in an ordinary PHIGuard envelope, and the DEK is wrapped with HPKE (RFC 9180,
 * the release suite) to the control plane's upload key, with the job id as the key id. The node
 * side holds only the public key (`forNode`); the control plane opens the wrap (`forControlPlane`)
 * and re-seals the plaintext under the output dataset's KEK when it writes the dataset version.
 */
export class UploadKeyProvider implements KeyProvider {
  readonly id = UPLOAD_PROVIDER_ID;
  readonly #publicKey: Uint8Array | undefined;
  readonly #privateKey: CryptoKey | undefined;

  private constructor(publicKey: Uint8Array | undefined, privateKey: CryptoKey | undefined) {
    this.#publicKey = publicKey;
    this.#privateKey = privateKey;
  }

  /** Node side: wraps new output keys to `publicKey` (raw X25519, from the job's lease). */
  static forNode(publicKey: Uint8Array): UploadKeyProvider {
    if (!(publicKey instanceof Uint8Array) || publicKey.length !== X25519_PUBLIC_KEY_BYTES) throw new TypeError('the upload key is 32 raw X25519 bytes');
    return new UploadKeyProvider(publicKey, undefined);
  }

  /** Control plane side: a fresh upload key pair (kept in memory only; a restart makes running jobs retry their upload). */
  static async forControlPlane(): Promise<{ provider: UploadKeyProvider; publicKey: Uint8Array }> {
    const suite = releaseCipherSuite();
    const pair = await suite.kem.generateKeyPair();
    const publicKey = new Uint8Array(await suite.kem.serializePublicKey(pair.publicKey));
    return { provider: new UploadKeyProvider(undefined, pair.privateKey), publicKey };
  }

  async generateDataKey(keyId: string): Promise<EnvelopeDataKey> {
    const plaintext = randomBytes(32);
    return { plaintext, wrapped: await this.wrapDataKey(keyId, plaintext) };
  }

  async wrapDataKey(keyId: string, dataKey: Uint8Array): Promise<WrappedDataKey> {
    if (this.#publicKey === undefined) throw new TypeError('the control plane side does not wrap output keys');
    const suite = releaseCipherSuite();
    const { enc, ct } = await suite.seal({ recipientPublicKey: await suite.kem.deserializePublicKey(this.#publicKey), info: info(keyId) }, dataKey);
    const wrapped = new Uint8Array(ENC_BYTES + ct.byteLength);
    wrapped.set(new Uint8Array(enc), 0);
    wrapped.set(new Uint8Array(ct), ENC_BYTES);
    return Object.freeze({ provider: UPLOAD_PROVIDER_ID, keyId, version: 1, wrapped });
  }

  async unwrapDataKey(wrapped: WrappedDataKey): Promise<Buffer> {
    if (this.#privateKey === undefined) throw new TypeError('the node side cannot unwrap output keys');
    if (wrapped.provider !== UPLOAD_PROVIDER_ID || wrapped.wrapped.length <= ENC_BYTES) throw new KeysError('unwrap-failed', 'not an output key wrap', { place: { field: 'wrapped' } });
    const suite = releaseCipherSuite();
    try {
      const key = await suite.open({ recipientKey: this.#privateKey, enc: wrapped.wrapped.slice(0, ENC_BYTES), info: info(wrapped.keyId) }, wrapped.wrapped.slice(ENC_BYTES));
      return Buffer.from(key);
    } catch (cause) {
      throw new KeysError('unwrap-failed', 'output key wrap did not open (another job or a changed byte)', { cause, place: { field: 'wrapped' } });
    }
  }

  rewrapDataKey(): Promise<WrappedDataKey> {
    return Promise.reject(new TypeError('output keys are not rewrapped'));
  }

  describeKey(keyId: string): Promise<KeyMetadata> {
    return Promise.resolve({ provider: UPLOAD_PROVIDER_ID, keyId, state: 'enabled', latestVersion: 1, minDecryptVersion: 1, createdAtMs: 0, versions: [{ version: 1, createdAtMs: 0, destroyed: false }] });
  }
}
