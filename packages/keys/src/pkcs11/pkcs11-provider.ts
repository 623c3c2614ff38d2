import { randomBytes } from 'node:crypto';
import type { AuditRecorder } from '@phiguard/audit';
import { KeysError } from '../keys-error.ts';
import { DATA_KEY_BYTES, KEY_ID, type DataKey, type KeyMetadata, type KeyProvider, type WrappedDataKey } from '../key-provider.ts';
import { loadPkcs11js, type Handle, type Pkcs11Api, type Pkcs11Module } from './pkcs11-module.ts';

export const PKCS11_PROVIDER_ID = 'pkcs11';
const LABEL = /^phiguard:([a-z][a-z0-9._-]{0,63}):v([1-9][0-9]{0,9})$/;
const WRAP_LABEL = 'phiguard-pkcs11-wrap-v1';

export interface Pkcs11Options {
  /** The PKCS#11 module, e.g. `/usr/lib/softhsm/libsofthsm2.so`. */
  readonly library: string;
  readonly tokenLabel: string;
  readonly pin: string;
  readonly audit: AuditRecorder;
}

/**
 * KEKs as AES-256 secret-key objects in an HSM token (PKCS#11 v2.40), one object per version,
 * labelled `phiguard:<keyId>:v<n>`, non-extractable and sensitive. A DEK is wrapped with
 * CKM_AES_GCM inside the token (random 96-bit IV, AAD = label ‖ key id ‖ version, 128-bit tag);
 * the KEK never leaves the HSM. Wrapped form: IV ‖ ciphertext ‖ tag.
 */
export class Pkcs11Provider implements KeyProvider {
  readonly id = PKCS11_PROVIDER_ID;
  readonly #p11: Pkcs11Api;
  readonly #m: Pkcs11Module;
  readonly #session: Handle;
  readonly #audit: AuditRecorder;

  private constructor(m: Pkcs11Module, p11: Pkcs11Api, session: Handle, audit: AuditRecorder) {
    this.#m = m;
    this.#p11 = p11;
    this.#session = session;
    this.#audit = audit;
  }

  /** Loads the module, finds the token by label and logs in as the user. */
  static open(options: Pkcs11Options): Pkcs11Provider {
    const m = loadPkcs11js();
    const p11 = new m.PKCS11();
    try {
      p11.load(options.library);
    } catch (error) {
      throw new KeysError('provider-unavailable', 'cannot load the PKCS#11 module', { cause: error, place: { file: options.library } });
    }
    try {
      p11.C_Initialize();
    } catch (error) {
      // Another provider in this process initialised the same module (PKCS#11 v2.40 §5.4).
      if (!(error instanceof Error && error.message.includes('CKR_CRYPTOKI_ALREADY_INITIALIZED'))) {
        throw new KeysError('provider-unavailable', 'cannot initialise the PKCS#11 module', { cause: error, place: { file: options.library } });
      }
    }
    const slot = p11.C_GetSlotList(true).find((s) => p11.C_GetTokenInfo(s).label.trim() === options.tokenLabel);
    if (slot === undefined) {
      throw new KeysError('provider-unavailable', 'no PKCS#11 token with this label', { place: { field: 'token' } });
    }
    const session = p11.C_OpenSession(slot, m.CKF_RW_SESSION | m.CKF_SERIAL_SESSION);
    try {
      p11.C_Login(session, m.CKU_USER, options.pin);
    } catch (error) {
      // Login state is per application and token: a second provider in this process finds it done.
      if (error instanceof Error && error.message.includes('CKR_USER_ALREADY_LOGGED_IN')) return new Pkcs11Provider(m, p11, session, options.audit);
      p11.C_CloseSession(session);
      throw new KeysError('provider-unavailable', 'PKCS#11 login failed', { cause: error, hint: 'check the user PIN' });
    }
    return new Pkcs11Provider(m, p11, session, options.audit);
  }

  /**
   * Closes the session. `finalize` (the last provider on this module in this process) also logs
   * out and finalises the module; logging out would end every session of the process.
   */
  close(finalize = true): void {
    if (!finalize) {
      this.#p11.C_CloseSession(this.#session);
      return;
    }
    try {
      this.#p11.C_Logout(this.#session);
      this.#p11.C_CloseSession(this.#session);
    } finally {
      this.#p11.C_Finalize();
    }
  }

  /** Creates version 1 (or the next version: rotation) of a KEK inside the token. */
  async createVersion(actor: string, keyId: string): Promise<number> {
    if (!KEY_ID.test(keyId)) throw new TypeError('key id must be a lower-case code');
    const m = this.#m;
    const version = (this.versions(keyId).at(-1)?.version ?? 0) + 1;
    this.#p11.C_GenerateKey(this.#session, { mechanism: m.CKM_AES_KEY_GEN }, [
      { type: m.CKA_CLASS, value: m.CKO_SECRET_KEY },
      { type: m.CKA_KEY_TYPE, value: m.CKK_AES },
      { type: m.CKA_TOKEN, value: true },
      { type: m.CKA_LABEL, value: `phiguard:${keyId}:v${version}` },
      { type: m.CKA_VALUE_LEN, value: 32 },
      { type: m.CKA_ENCRYPT, value: true },
      { type: m.CKA_DECRYPT, value: true },
      { type: m.CKA_SENSITIVE, value: true },
      { type: m.CKA_EXTRACTABLE, value: false },
    ]);
    await this.#audit.record({
      actor: { kind: 'user', id: actor },
      action: version === 1 ? 'key.create' : 'key.rotate',
      outcome: 'success',
      resources: [{ type: 'key', id: keyId }],
      details: { version, provider: PKCS11_PROVIDER_ID },
    });
    return version;
  }

  async generateDataKey(keyId: string): Promise<DataKey> {
    const plaintext = Buffer.alloc(DATA_KEY_BYTES);
    randomBytes(DATA_KEY_BYTES).copy(plaintext);
    return { plaintext, wrapped: await this.wrapDataKey(keyId, plaintext) };
  }

  wrapDataKey(keyId: string, dataKey: Uint8Array): Promise<WrappedDataKey> {
    return attempt(() => {
      if (dataKey.length !== DATA_KEY_BYTES) throw new TypeError(`a data key is ${DATA_KEY_BYTES} bytes`);
      const latest = this.versions(keyId).at(-1);
      if (latest === undefined) throw new KeysError('unknown-key', 'no such key in the token', { place: { path: keyId } });
      const iv = randomBytes(12);
      this.#p11.C_EncryptInit(this.#session, this.gcm(iv, keyId, latest.version), latest.handle);
      const out = this.#p11.C_Encrypt(this.#session, Buffer.from(dataKey), Buffer.alloc(DATA_KEY_BYTES + 16));
      return Object.freeze({ provider: PKCS11_PROVIDER_ID, keyId, version: latest.version, wrapped: Buffer.concat([iv, out]) });
    });
  }

  unwrapDataKey(wrapped: WrappedDataKey): Promise<Buffer> {
    return attempt(() => {
      const place = { path: wrapped.keyId, index: wrapped.version };
      const version = this.versions(wrapped.keyId).find((v) => v.version === wrapped.version);
      if (version === undefined) throw new KeysError('unknown-key', 'no such key version in the token', { place });
      const bytes = Buffer.from(wrapped.wrapped);
      if (bytes.length !== 12 + DATA_KEY_BYTES + 16) throw new KeysError('unwrap-failed', 'wrapped data key has the wrong length', { place });
      try {
        this.#p11.C_DecryptInit(this.#session, this.gcm(bytes.subarray(0, 12), wrapped.keyId, wrapped.version), version.handle);
        return Buffer.from(this.#p11.C_Decrypt(this.#session, bytes.subarray(12), Buffer.alloc(DATA_KEY_BYTES + 16)));
      } catch (error) {
        throw new KeysError('unwrap-failed', 'wrapped data key failed authentication in the token', { cause: error, place });
      }
    });
  }

  async rewrapDataKey(wrapped: WrappedDataKey): Promise<WrappedDataKey> {
    const dataKey = await this.unwrapDataKey(wrapped);
    try {
      return await this.wrapDataKey(wrapped.keyId, dataKey);
    } finally {
      dataKey.fill(0);
    }
  }

  describeKey(keyId: string): Promise<KeyMetadata> {
    return attempt(() => {
      const versions = this.versions(keyId);
      if (versions.length === 0) throw new KeysError('unknown-key', 'no such key in the token', { place: { path: keyId } });
      return Object.freeze({
        provider: PKCS11_PROVIDER_ID,
        keyId,
        state: 'enabled' as const,
        latestVersion: versions.at(-1)?.version ?? 0,
        minDecryptVersion: versions[0]?.version ?? 1,
        createdAtMs: 0,
        versions: versions.map((v) => Object.freeze({ version: v.version, createdAtMs: 0, destroyed: false })),
      });
    });
  }

  private gcm(iv: Buffer, keyId: string, version: number) {
    const aad = Buffer.from(`${WRAP_LABEL}\x00${keyId}\x00${String(version)}`, 'utf8');
    return { mechanism: this.#m.CKM_AES_GCM, parameter: { type: this.#m.CK_PARAMS_AES_GCM, iv, aad, ivBits: 96, tagBits: 128 } };
  }

  /** The key's versions in the token, oldest first. */
  private versions(keyId: string): { version: number; handle: Handle }[] {
    const m = this.#m;
    this.#p11.C_FindObjectsInit(this.#session, [{ type: m.CKA_CLASS, value: m.CKO_SECRET_KEY }]);
    const handles = this.#p11.C_FindObjects(this.#session, 10_000);
    this.#p11.C_FindObjectsFinal(this.#session);
    const out: { version: number; handle: Handle }[] = [];
    for (const handle of handles) {
      const [label] = this.#p11.C_GetAttributeValue(this.#session, handle, [{ type: m.CKA_LABEL }]);
      const match = LABEL.exec(label?.value.toString('utf8') ?? '');
      if (match?.[1] === keyId) out.push({ version: Number(match[2]), handle });
    }
    return out.sort((a, b) => a.version - b.version);
  }
}

function attempt<T>(run: () => T): Promise<T> {
  try {
    return Promise.resolve(run());
  } catch (error) {
    if (error instanceof KeysError || error instanceof TypeError) return Promise.reject(error);
    return Promise.reject(new KeysError('provider-error', 'PKCS#11 call failed', { cause: error }));
  }
}
