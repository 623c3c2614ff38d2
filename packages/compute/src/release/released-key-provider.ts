import { createHash } from 'node:crypto';
import { KeysError, type DataKey as EnvelopeDataKey, type KeyMetadata, type KeyProvider, type WrappedDataKey } from '@phiguard/keys';
import type { DataKey } from './sealed-keys.ts';

/**
 * The id under which a blob's data key is released (issue 8): a hash of the wrapped key as the
 * envelope header carries it, so the node can find the released key for each header it reads
 * without the control plane revealing anything about the KEK. Safe to log.
 */
export function wrappedKeyId(wrapped: WrappedDataKey): string {
  const h = createHash('sha256').update(`${wrapped.provider}\u0000${wrapped.keyId}\u0000${String(wrapped.version)}\u0000`).update(wrapped.wrapped);
  return `dek-${h.digest('hex').slice(0, 48)}`;
}

/**
 * Node side: a KeyProvider that can only "unwrap" the data keys released to this job (opened from
 * the HPKE-sealed release), so the ordinary envelope reader (`unsealStream`) opens the job's sealed
 * input blobs. It holds no KEK; anything not released fails with `unknown-key`. `destroy()` zeroes
 * the keys (the agent calls it on every exit path).
 */
export class ReleasedKeyProvider implements KeyProvider {
  readonly id: string;
  readonly #keys = new Map<string, Uint8Array>();

  constructor(providerId: string, keys: readonly DataKey[]) {
    this.id = providerId;
    for (const k of keys) this.#keys.set(k.id, Uint8Array.from(k.key)); // own copies: the caller zeroes its keys
  }

  unwrapDataKey(wrapped: WrappedDataKey): Promise<Buffer> {
    const key = this.#keys.get(wrappedKeyId(wrapped));
    if (key === undefined) return Promise.reject(new KeysError('unknown-key', 'this data key was not released to the job', { place: { field: 'keyId' } }));
    return Promise.resolve(Buffer.from(key));
  }

  destroy(): void {
    for (const key of this.#keys.values()) key.fill(0);
    this.#keys.clear();
  }

  generateDataKey(): Promise<EnvelopeDataKey> {
    return Promise.reject(new TypeError('released keys only unwrap'));
  }

  wrapDataKey(): Promise<WrappedDataKey> {
    return Promise.reject(new TypeError('released keys only unwrap'));
  }

  rewrapDataKey(): Promise<WrappedDataKey> {
    return Promise.reject(new TypeError('released keys only unwrap'));
  }

  describeKey(): Promise<KeyMetadata> {
    return Promise.reject(new TypeError('released keys only unwrap'));
  }
}
