import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { KeysError } from '../keys-error.ts';
import { DATA_KEY_BYTES, type DataKey, type KeyMetadata, type KeyProvider, type WrappedDataKey } from '../key-provider.ts';
import type { KekRecord, KeystoreState } from './keystore-state.ts';

export const LOCAL_PROVIDER_ID = 'local';
const WRAP_LABEL = Buffer.from('phiguard-local-wrap-v1\x00', 'binary');
const WRAPPED_BYTES = 12 + DATA_KEY_BYTES + 16;

/**
 * The embedded KeyProvider over an open keystore's state. A DEK is wrapped with AES-256-GCM
 * under a KEK version (random 96-bit nonce, AAD = label ‖ key id ‖ version, NIST SP 800-38D
 * §8.2.2; rotate before 2^32 wraps per version). Wrapped form: nonce ‖ ciphertext ‖ tag.
 */
export class LocalKeyProvider implements KeyProvider {
  readonly id = LOCAL_PROVIDER_ID;
  readonly #state: () => KeystoreState;
  // Node 24 re-imports a Buffer key on every createCipheriv (~6x slower for a 32-byte wrap), so
  // each KEK version gets one KeyObject. It is dropped when the material is erased; unlike the
  // Buffer it cannot be zeroed, so its copy lives until garbage collection (docs/keys.md).
  readonly #keyObjects = new WeakMap<Buffer, KeyObject>();
  // One randomBytes call per 4096 nonces: per-call CSPRNG overhead was a fifth of a rewrap.
  // Each 12-byte slice is used once; a refill allocates a new pool.
  #noncePool = Buffer.alloc(0);
  #nonceAt = 0;
  readonly #aads = new Map<string, Buffer>();

  constructor(state: () => KeystoreState) {
    this.#state = state;
  }

  generateDataKey(keyId: string): Promise<DataKey> {
    const plaintext = Buffer.alloc(DATA_KEY_BYTES);
    randomBytes(DATA_KEY_BYTES).copy(plaintext);
    try {
      return Promise.resolve({ plaintext, wrapped: this.wrapSync(keyId, plaintext) });
    } catch (error) {
      plaintext.fill(0);
      return Promise.reject(toError(error));
    }
  }

  wrapDataKey(keyId: string, dataKey: Uint8Array): Promise<WrappedDataKey> {
    try {
      return Promise.resolve(this.wrapSync(keyId, dataKey));
    } catch (error) {
      return Promise.reject(toError(error));
    }
  }

  unwrapDataKey(wrapped: WrappedDataKey): Promise<Buffer> {
    try {
      return Promise.resolve(this.unwrapSync(wrapped));
    } catch (error) {
      return Promise.reject(toError(error));
    }
  }

  rewrapDataKey(wrapped: WrappedDataKey): Promise<WrappedDataKey> {
    try {
      return Promise.resolve(this.rewrapSync(wrapped));
    } catch (error) {
      return Promise.reject(toError(error));
    }
  }

  describeKey(keyId: string): Promise<KeyMetadata> {
    try {
      return Promise.resolve(describeRecord(this.record(keyId)));
    } catch (error) {
      return Promise.reject(toError(error));
    }
  }

  /** Synchronous forms, for batches (rewrap at memory speed). */
  wrapSync(keyId: string, dataKey: Uint8Array): WrappedDataKey {
    if (dataKey.length !== DATA_KEY_BYTES) throw new TypeError(`a data key is ${DATA_KEY_BYTES} bytes`);
    const record = this.usable(keyId);
    const latest = record.versions.at(-1);
    if (latest?.material == null) throw new KeysError('key-destroyed', 'newest key version was destroyed', { place: { path: keyId } });
    const nonce = this.nextNonce();
    const cipher = createCipheriv('aes-256-gcm', this.keyObject(latest.material), nonce, { authTagLength: 16 });
    cipher.setAAD(this.aad(keyId, latest.version));
    const wrapped = Buffer.allocUnsafe(WRAPPED_BYTES);
    nonce.copy(wrapped, 0);
    cipher.update(dataKey).copy(wrapped, 12);
    cipher.final();
    cipher.getAuthTag().copy(wrapped, 12 + DATA_KEY_BYTES);
    return Object.freeze({ provider: LOCAL_PROVIDER_ID, keyId, version: latest.version, wrapped });
  }

  unwrapSync(wrapped: WrappedDataKey): Buffer {
    if (wrapped.provider !== LOCAL_PROVIDER_ID) throw new KeysError('unwrap-failed', 'data key was wrapped by another provider', { place: { field: 'provider' } });
    const record = this.usable(wrapped.keyId);
    const place = { path: wrapped.keyId, index: wrapped.version };
    if (wrapped.version < record.minDecryptVersion) throw new KeysError('version-below-minimum', 'key version is below the minimum decryption version', { place });
    const version = record.versions.find((v) => v.version === wrapped.version);
    if (version === undefined) throw new KeysError('unknown-key', 'no such key version', { place });
    if (version.material === null) throw new KeysError('key-destroyed', 'key version was destroyed', { place });
    const bytes = Buffer.from(wrapped.wrapped.buffer, wrapped.wrapped.byteOffset, wrapped.wrapped.byteLength);
    if (bytes.length !== WRAPPED_BYTES) throw new KeysError('unwrap-failed', 'wrapped data key has the wrong length', { place });
    const decipher = createDecipheriv('aes-256-gcm', this.keyObject(version.material), bytes.subarray(0, 12), { authTagLength: 16 });
    decipher.setAAD(this.aad(wrapped.keyId, wrapped.version));
    decipher.setAuthTag(bytes.subarray(12 + DATA_KEY_BYTES));
    const out = decipher.update(bytes.subarray(12, 12 + DATA_KEY_BYTES));
    try {
      decipher.final();
    } catch (error) {
      out.fill(0);
      throw new KeysError('unwrap-failed', 'wrapped data key failed authentication', { cause: error, place });
    }
    return out;
  }

  rewrapSync(wrapped: WrappedDataKey): WrappedDataKey {
    const dataKey = this.unwrapSync(wrapped);
    try {
      return this.wrapSync(wrapped.keyId, dataKey);
    } finally {
      dataKey.fill(0);
    }
  }

  private nextNonce(): Buffer {
    if (this.#nonceAt + 12 > this.#noncePool.length) {
      this.#noncePool = randomBytes(12 * 4096);
      this.#nonceAt = 0;
    }
    const nonce = this.#noncePool.subarray(this.#nonceAt, this.#nonceAt + 12);
    this.#nonceAt += 12;
    return nonce;
  }

  private aad(keyId: string, version: number): Buffer {
    const cacheKey = `${keyId}\x00${String(version)}`;
    let aad = this.#aads.get(cacheKey);
    if (aad === undefined) {
      aad = wrapAad(keyId, version);
      this.#aads.set(cacheKey, aad);
    }
    return aad;
  }

  private keyObject(material: Buffer): KeyObject {
    let object = this.#keyObjects.get(material);
    if (object === undefined) {
      object = createSecretKey(material);
      this.#keyObjects.set(material, object);
    }
    return object;
  }

  private record(keyId: string): KekRecord {
    const record = this.#state().keys.get(keyId);
    if (record === undefined) throw new KeysError('unknown-key', 'no such key', { place: { path: keyId } });
    return record;
  }

  private usable(keyId: string): KekRecord {
    const record = this.record(keyId);
    if (record.state === 'destroyed') throw new KeysError('key-destroyed', 'key was destroyed', { place: { path: keyId } });
    if (record.state === 'disabled') throw new KeysError('key-disabled', 'key is disabled', { place: { path: keyId }, hint: 'enable it with `phiguard keys enable`' });
    return record;
  }
}

function wrapAad(keyId: string, version: number): Buffer {
  const id = Buffer.from(keyId, 'ascii');
  const aad = Buffer.alloc(WRAP_LABEL.length + id.length + 5);
  WRAP_LABEL.copy(aad, 0);
  id.copy(aad, WRAP_LABEL.length);
  aad.writeUInt32BE(version, WRAP_LABEL.length + id.length + 1);
  return aad;
}

export function describeRecord(record: KekRecord): KeyMetadata {
  return Object.freeze({
    provider: LOCAL_PROVIDER_ID,
    keyId: record.keyId,
    state: record.state,
    latestVersion: record.versions.at(-1)?.version ?? 0,
    minDecryptVersion: record.minDecryptVersion,
    createdAtMs: record.createdAtMs,
    versions: Object.freeze(record.versions.map((v) => Object.freeze({ version: v.version, createdAtMs: v.createdAtMs, destroyed: v.material === null }))),
  });
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error('non-error thrown');
}
