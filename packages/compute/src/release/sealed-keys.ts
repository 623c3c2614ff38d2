import { releaseAad, releaseCipherSuite, releaseInfo, RELEASE_SUITE, X25519_PUBLIC_KEY_BYTES } from './release-suite.ts';

/** One data key of a job, in the clear (only inside the control plane's key service, or a verified TEE). */
export interface DataKey {
  /** A key id (`key_…` or a KeyProvider reference); safe to log. */
  readonly id: string;
  readonly key: Uint8Array;
}

/**
 * A job's data keys sealed to one node's ephemeral key with HPKE (RFC 9180 §6.1 single-shot,
 * base mode). Only the holder of the private key whose hash the evidence bound can open it.
 */
export interface SealedKeys {
  readonly v: 1;
  readonly kemId: number;
  readonly kdfId: number;
  readonly aeadId: number;
  readonly jobId: string;
  readonly evidenceHash: string;
  readonly keyIds: readonly string[];
  /** HPKE encapsulated key (base64). */
  readonly enc: string;
  /** HPKE ciphertext of the key payload (base64). */
  readonly ct: string;
}

const KEY_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Payload: for each key, 2-byte length then the key bytes, in `keyIds` order. */
function encodePayload(keys: readonly DataKey[]): Uint8Array {
  const total = keys.reduce((n, k) => n + 2 + k.key.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const k of keys) {
    out[at] = k.key.length >>> 8;
    out[at + 1] = k.key.length & 0xff;
    out.set(k.key, at + 2);
    at += 2 + k.key.length;
  }
  return out;
}

function decodePayload(payload: Uint8Array, keyIds: readonly string[]): DataKey[] | undefined {
  const keys: DataKey[] = [];
  let at = 0;
  for (const id of keyIds) {
    if (at + 2 > payload.length) return undefined;
    const len = ((payload[at] ?? 0) << 8) | (payload[at + 1] ?? 0);
    if (at + 2 + len > payload.length) return undefined;
    keys.push(Object.freeze({ id, key: payload.slice(at + 2, at + 2 + len) }));
    at += 2 + len;
  }
  return at === payload.length ? keys : undefined;
}

/** Seals `keys` for `jobId` to the node public key that evidence `evidenceHash` bound. */
export async function sealKeys(input: {
  readonly jobId: string;
  readonly evidenceHash: string;
  readonly recipientPublicKey: Uint8Array;
  readonly keys: readonly DataKey[];
}): Promise<SealedKeys> {
  const { jobId, evidenceHash, recipientPublicKey, keys } = input;
  if (!(recipientPublicKey instanceof Uint8Array) || recipientPublicKey.length !== X25519_PUBLIC_KEY_BYTES)
    throw new TypeError('recipientPublicKey must be 32 raw X25519 bytes');
  if (keys.length === 0) throw new TypeError('at least one data key is needed');
  for (const k of keys) {
    if (!KEY_ID.test(k.id)) throw new TypeError('a data key id must be 1-128 characters of [A-Za-z0-9._:-]');
    if (!(k.key instanceof Uint8Array) || k.key.length === 0 || k.key.length > 0xffff)
      throw new TypeError('a data key must be 1..65535 bytes');
  }
  const suite = releaseCipherSuite();
  const keyIds = keys.map((k) => k.id);
  const payload = encodePayload(keys);
  try {
    const { ct, enc } = await suite.seal(
      { recipientPublicKey: await suite.kem.deserializePublicKey(recipientPublicKey), info: releaseInfo(jobId, evidenceHash) },
      payload,
      releaseAad(jobId, keyIds),
    );
    return Object.freeze({
      v: 1,
      ...RELEASE_SUITE,
      jobId,
      evidenceHash,
      keyIds: Object.freeze(keyIds),
      enc: Buffer.from(enc).toString('base64'),
      ct: Buffer.from(ct).toString('base64'),
    });
  } finally {
    payload.fill(0);
  }
}

/**
 * Node side: opens a release with the job's ephemeral private key. `undefined` for anything that
 * does not authenticate (another node's key, a changed byte, another job or evidence hash).
 */
export async function openSealedKeys(
  sealed: SealedKeys,
  privateKey: CryptoKey,
  expect: { readonly jobId: string; readonly evidenceHash: string },
): Promise<DataKey[] | undefined> {
  if (
    (sealed.v as number) !== 1 || // parsed from JSON: check anyway
    sealed.kemId !== RELEASE_SUITE.kemId ||
    sealed.kdfId !== RELEASE_SUITE.kdfId ||
    sealed.aeadId !== RELEASE_SUITE.aeadId
  )
    return undefined;
  if (sealed.jobId !== expect.jobId || sealed.evidenceHash !== expect.evidenceHash) return undefined;
  const suite = releaseCipherSuite();
  try {
    const payload = new Uint8Array(
      await suite.open(
        { recipientKey: privateKey, enc: Buffer.from(sealed.enc, 'base64'), info: releaseInfo(expect.jobId, expect.evidenceHash) },
        Buffer.from(sealed.ct, 'base64'),
        releaseAad(expect.jobId, sealed.keyIds),
      ),
    );
    const keys = decodePayload(payload, sealed.keyIds);
    payload.fill(0);
    return keys;
  } catch {
    // OpenError / DecapError: not for this key, or tampered (RFC 9180 §5.2: fail closed).
    return undefined;
  }
}
