import { request } from 'node:https';
import type { AuditRecorder } from '@phiguard/audit';
import { KeysError } from '../keys-error.ts';
import { DATA_KEY_BYTES, KEY_ID, type DataKey, type KeyMetadata, type KeyProvider, type WrappedDataKey } from '../key-provider.ts';

export const VAULT_TRANSIT_PROVIDER_ID = 'vault-transit';
const CIPHERTEXT = /^vault:v([1-9][0-9]{0,9}):[A-Za-z0-9+/=]+$/;

export interface VaultTransitOptions {
  /** `https://vault.example:8200`. Plain HTTP is refused. */
  readonly address: string;
  readonly token: string;
  /** Mount path of the transit engine (default `transit`). */
  readonly mount?: string;
  /** PEM CA certificate(s) to trust instead of the system store. */
  readonly ca?: string | Buffer;
  /** Vault Enterprise namespace (`X-Vault-Namespace`). */
  readonly namespace?: string;
  readonly audit: AuditRecorder;
  /** Per-request timeout (default 10 s). */
  readonly timeoutMs?: number;
}

/**
 * HashiCorp Vault's transit secrets engine as a KeyProvider, over HTTPS with TLS 1.3 only and
 * token auth (Vault API: /transit/encrypt, /decrypt, /rewrap, /datakey/plaintext, /keys). The
 * wrapped DEK is Vault's own ciphertext string `vault:v<N>:<base64>`, stored as UTF-8 bytes;
 * its version is N. Rotation, minimum decryption version and deletion are Vault's key config.
 */
export class VaultTransitProvider implements KeyProvider {
  readonly id = VAULT_TRANSIT_PROVIDER_ID;
  readonly #options: VaultTransitOptions;
  readonly #base: URL;

  constructor(options: VaultTransitOptions) {
    const base = new URL(options.address);
    if (base.protocol !== 'https:') throw new TypeError('Vault address must be https://');
    this.#options = options;
    this.#base = base;
  }

  async generateDataKey(keyId: string): Promise<DataKey> {
    const data = await this.call('POST', `datakey/plaintext/${name(keyId)}`, { bits: DATA_KEY_BYTES * 8 });
    const plaintext = Buffer.from(str(data.plaintext), 'base64');
    if (plaintext.length !== DATA_KEY_BYTES) throw new KeysError('provider-error', 'Vault returned a data key of the wrong size');
    return { plaintext, wrapped: wrappedFrom(keyId, str(data.ciphertext)) };
  }

  async wrapDataKey(keyId: string, dataKey: Uint8Array): Promise<WrappedDataKey> {
    if (dataKey.length !== DATA_KEY_BYTES) throw new TypeError(`a data key is ${DATA_KEY_BYTES} bytes`);
    const data = await this.call('POST', `encrypt/${name(keyId)}`, { plaintext: Buffer.from(dataKey).toString('base64') });
    return wrappedFrom(keyId, str(data.ciphertext));
  }

  async unwrapDataKey(wrapped: WrappedDataKey): Promise<Buffer> {
    const data = await this.call('POST', `decrypt/${name(wrapped.keyId)}`, { ciphertext: ciphertextOf(wrapped) });
    const plaintext = Buffer.from(str(data.plaintext), 'base64');
    if (plaintext.length !== DATA_KEY_BYTES) throw new KeysError('unwrap-failed', 'Vault returned a data key of the wrong size');
    return plaintext;
  }

  async rewrapDataKey(wrapped: WrappedDataKey): Promise<WrappedDataKey> {
    const data = await this.call('POST', `rewrap/${name(wrapped.keyId)}`, { ciphertext: ciphertextOf(wrapped) });
    return wrappedFrom(wrapped.keyId, str(data.ciphertext));
  }

  async describeKey(keyId: string): Promise<KeyMetadata> {
    const data = await this.call('GET', `keys/${name(keyId)}`);
    const keys = (data.keys ?? {}) as Record<string, unknown>;
    const versions = Object.entries(keys)
      .map(([v, created]) => ({ version: Number(v), createdAtMs: typeof created === 'number' ? created * 1000 : Date.parse(String(created)), destroyed: false }))
      .sort((a, b) => a.version - b.version);
    return Object.freeze({
      provider: VAULT_TRANSIT_PROVIDER_ID,
      keyId,
      state: 'enabled' as const,
      latestVersion: Number(data.latest_version),
      minDecryptVersion: Number(data.min_decryption_version),
      createdAtMs: versions[0]?.createdAtMs ?? 0,
      versions: Object.freeze(versions),
    });
  }

  /** Creates an `aes256-gcm96` transit key (idempotent in Vault). */
  async createKey(actor: string, keyId: string): Promise<void> {
    await this.call('POST', `keys/${name(keyId)}`, { type: 'aes256-gcm96' });
    await this.record(actor, 'key.create', keyId, 1);
  }

  /** Rotates the transit key; new wraps use the new version. */
  async rotate(actor: string, keyId: string): Promise<number> {
    await this.call('POST', `keys/${name(keyId)}/rotate`, {});
    const { latestVersion } = await this.describeKey(keyId);
    await this.record(actor, 'key.rotate', keyId, latestVersion);
    return latestVersion;
  }

  private async record(actor: string, action: string, keyId: string, version: number): Promise<void> {
    await this.#options.audit.record({
      actor: { kind: 'user', id: actor },
      action,
      outcome: 'success',
      resources: [{ type: 'key', id: keyId }],
      details: { version, provider: VAULT_TRANSIT_PROVIDER_ID },
    });
  }

  private call(method: 'GET' | 'POST', path: string, body?: object): Promise<Record<string, unknown>> {
    const url = new URL(`v1/${this.#options.mount ?? 'transit'}/${path}`, this.#base.href.endsWith('/') ? this.#base : `${this.#base.href}/`);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = { 'X-Vault-Token': this.#options.token, Accept: 'application/json' };
    if (this.#options.namespace !== undefined) headers['X-Vault-Namespace'] = this.#options.namespace;
    if (payload !== undefined) headers['Content-Type'] = 'application/json';
    const place = { path: `/${url.pathname.split('/').slice(2, 4).join('/')}` };
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        { method, headers, minVersion: 'TLSv1.3', ...(this.#options.ca === undefined ? {} : { ca: this.#options.ca }), timeout: this.#options.timeoutMs ?? 10_000 },
        (res) => {
          const parts: Buffer[] = [];
          res.on('data', (d: Buffer) => parts.push(d));
          res.on('error', reject);
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            let json: { data?: Record<string, unknown>; errors?: unknown } = {};
            try {
              json = parts.length === 0 ? {} : (JSON.parse(Buffer.concat(parts).toString('utf8')) as typeof json);
            } catch {
              // Non-JSON answers are reported by status below.
            }
            if (status >= 200 && status < 300 && json.data !== undefined) resolve(json.data);
            else if (status === 204) resolve({});
            else reject(vaultError(status, place, JSON.stringify(json.errors ?? '')));
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (error) => {
        reject(new KeysError('provider-unavailable', 'cannot reach Vault', { cause: error, place, hint: 'check the Vault address, CA certificate and TLS 1.3 support' }));
      });
      req.end(payload);
    });
  }
}

// Vault's error texts may echo input; only the status and a code leave this module.
function vaultError(status: number, place: { path: string }, errors: string): KeysError {
  if (status === 400 && /key not found/i.test(errors)) return new KeysError('unknown-key', 'Vault has no such key (400)', { place });
  const cryptoRefusal = /disallowed|too old|authentication failed|invalid ciphertext|invalid key version/i.test(errors);
  if (status === 403) return new KeysError('provider-error', 'Vault refused the token (403)', { place, hint: 'the token needs the transit policy for this key' });
  if (status === 400 && cryptoRefusal) return new KeysError('unwrap-failed', 'Vault refused the ciphertext (400)', { place });
  if (status === 404) return new KeysError('unknown-key', 'Vault has no such key (404)', { place });
  return new KeysError('provider-error', `Vault answered ${status}`, { place });
}

function name(keyId: string): string {
  if (!KEY_ID.test(keyId)) throw new TypeError('key id must be a lower-case code');
  return encodeURIComponent(keyId);
}

function str(value: unknown): string {
  if (typeof value !== 'string') throw new KeysError('provider-error', 'Vault answer lacks an expected field');
  return value;
}

function wrappedFrom(keyId: string, ciphertext: string): WrappedDataKey {
  const match = CIPHERTEXT.exec(ciphertext);
  if (match === null) throw new KeysError('provider-error', 'Vault returned an unexpected ciphertext format');
  return Object.freeze({ provider: VAULT_TRANSIT_PROVIDER_ID, keyId, version: Number(match[1]), wrapped: Buffer.from(ciphertext, 'utf8') });
}

function ciphertextOf(wrapped: WrappedDataKey): string {
  const text = Buffer.from(wrapped.wrapped).toString('utf8');
  const match = CIPHERTEXT.exec(text);
  if (match === null || Number(match[1]) !== wrapped.version) throw new KeysError('unwrap-failed', 'not a Vault transit ciphertext for this version', { place: { path: wrapped.keyId } });
  return text;
}
