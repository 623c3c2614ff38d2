// Test support: a software authenticator that produces real attestations and assertions.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';

export const b64u = (b: Uint8Array): string => Buffer.from(b).toString('base64url');

/** Minimal CBOR (RFC 8949) for ints, byte and text strings, and maps. */
function cbor(value: unknown): Buffer {
  const head = (major: number, n: number): Buffer =>
    n < 24 ? Buffer.from([(major << 5) | n]) : n < 256 ? Buffer.from([(major << 5) | 24, n]) : Buffer.from([(major << 5) | 25, n >> 8, n & 255]);
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') return Buffer.concat([head(3, Buffer.byteLength(value)), Buffer.from(value)]);
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), value]);
  if (value instanceof Map) return Buffer.concat([head(5, value.size), ...[...value].flatMap(([k, v]) => [cbor(k), cbor(v)])]);
  throw new TypeError('unsupported CBOR value');
}

/**
 * A software WebAuthn authenticator for tests (node:crypto ES256 key, hand-built authenticatorData
 * and clientDataJSON, CBOR 'none' attestation; W3C WebAuthn Level 3 §6.1, §6.5). Not for production.
 */
export class SoftAuthenticator {
  readonly credentialId = randomBytes(16);
  readonly #key: KeyObject;
  readonly #publicJwk: { x: string; y: string };
  counter = 0;

  readonly #rp: { readonly id: string; readonly origin: string };

  constructor(rp: { readonly id: string; readonly origin: string }) {
    this.#rp = rp;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    this.#key = privateKey;
    this.#publicJwk = publicKey.export({ format: 'jwk' }) as { x: string; y: string };
  }

  #authData(flags: number, attested?: Buffer): Buffer {
    const count = Buffer.alloc(4);
    count.writeUInt32BE(this.counter);
    return Buffer.concat([createHash('sha256').update(this.#rp.id).digest(), Buffer.from([flags]), count, ...(attested === undefined ? [] : [attested])]);
  }

  register(challenge: string): RegistrationResponseJSON {
    // COSE_Key (RFC 9053 §7.1.1): kty EC2, alg ES256, crv P-256, x, y
    const cose = cbor(new Map<number, unknown>([[1, 2], [3, -7], [-1, 1], [-2, Buffer.from(this.#publicJwk.x, 'base64url')], [-3, Buffer.from(this.#publicJwk.y, 'base64url')]]));
    const idLength = Buffer.from([0, this.credentialId.length]);
    const authData = this.#authData(0x45, Buffer.concat([Buffer.alloc(16), idLength, this.credentialId, cose]));
    const clientData = Buffer.from(JSON.stringify({ type: 'webauthn.create', challenge, origin: this.#rp.origin, crossOrigin: false }));
    const attestation = cbor(new Map<string, unknown>([['fmt', 'none'], ['attStmt', new Map()], ['authData', authData]]));
    return { id: b64u(this.credentialId), rawId: b64u(this.credentialId), type: 'public-key', clientExtensionResults: {}, response: { clientDataJSON: b64u(clientData), attestationObject: b64u(attestation), transports: ['internal'] } };
  }

  assert(challenge: string, origin = this.#rp.origin): AuthenticationResponseJSON {
    this.counter++;
    const authData = this.#authData(0x05);
    const clientData = Buffer.from(JSON.stringify({ type: 'webauthn.get', challenge, origin, crossOrigin: false }));
    const signature = sign('sha256', Buffer.concat([authData, createHash('sha256').update(clientData).digest()]), this.#key);
    return { id: b64u(this.credentialId), rawId: b64u(this.credentialId), type: 'public-key', clientExtensionResults: {}, response: { clientDataJSON: b64u(clientData), authenticatorData: b64u(authData), signature: b64u(signature) } };
  }
}

