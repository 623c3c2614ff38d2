import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { AccessError } from '../access-error.ts';

/** What a sealed secret is for; each purpose has its own derived key. */
export type SecretPurpose = 'totp-secret' | 'token-signing-key';

const PREFIX = 'pgs1.';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seals small secrets kept in the access database (TOTP secrets, token signing keys) with
 * AES-256-GCM (NIST SP 800-38D). The 32-byte root key comes from the server's key provider (or
 * its local key file, see docs/access.md); one key per purpose is derived with HKDF-SHA-256
 * (RFC 5869). The additional authenticated data binds the purpose and the owner (a user id, a
 * key id), so a sealed value copied to another row does not open.
 *
 * Format: `pgs1.` + base64url(12-byte IV ‖ ciphertext ‖ 16-byte tag).
 */
export class SecretBox {
  readonly #keys: Readonly<Record<SecretPurpose, Buffer>>;

  constructor(rootKey: Uint8Array) {
    if (rootKey.length !== 32) throw new TypeError('SecretBox root key must be 32 bytes');
    const derive = (purpose: SecretPurpose): Buffer => Buffer.from(hkdfSync('sha256', rootKey, Buffer.alloc(0), `phiguard-access/${purpose}`, 32));
    this.#keys = Object.freeze({ 'totp-secret': derive('totp-secret'), 'token-signing-key': derive('token-signing-key') });
  }

  /** True when `value` has the sealed format (used to find rows still in plaintext). */
  static isSealed(value: string): boolean {
    return value.startsWith(PREFIX);
  }

  seal(purpose: SecretPurpose, owner: string, plaintext: Uint8Array): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#keys[purpose], iv);
    cipher.setAAD(aad(purpose, owner));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return PREFIX + Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
  }

  /** The plaintext; `sealed-secret-invalid` when the value is malformed, tampered, moved or sealed under another key. */
  open(purpose: SecretPurpose, owner: string, sealed: string): Buffer {
    const refused = (cause?: unknown): AccessError => new AccessError('sealed-secret-invalid', 'a sealed secret does not open (wrong key, tampered, or moved to another row)', { place: { field: purpose }, ...(cause === undefined ? {} : { cause }) });
    if (!SecretBox.isSealed(sealed)) throw refused();
    const bytes = Buffer.from(sealed.slice(PREFIX.length), 'base64url');
    if (bytes.length < IV_BYTES + TAG_BYTES) throw refused();
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#keys[purpose], bytes.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAAD(aad(purpose, owner));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
    } catch (error) {
      throw refused(error);
    }
  }
}

function aad(purpose: SecretPurpose, owner: string): Buffer {
  return Buffer.from(`phiguard-access\u0000${purpose}\u0000${owner}`, 'utf8');
}
