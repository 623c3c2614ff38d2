// A software authenticator built here (node:crypto ES256 keys, hand-built authenticatorData and
// clientDataJSON, CBOR 'none' attestation) drives both ceremonies (W3C WebAuthn Level 3 §6.1, §6.5).
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from './totp.ts';
import { accessFixture, type AccessFixture } from './test-fixtures.ts';
import { WebAuthnFactor } from './webauthn-factor.ts';
import { Authenticator } from './authenticator.ts';
import { TEST_HASHER } from './test-fixtures.ts';

const RP = { id: 'localhost', name: 'PHIGuard', origin: 'https://localhost:8443' };
const b64u = (b: Uint8Array): string => Buffer.from(b).toString('base64url');

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

class SoftAuthenticator {
  readonly credentialId = randomBytes(16);
  readonly #key: KeyObject;
  readonly #publicJwk: { x: string; y: string };
  counter = 0;

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    this.#key = privateKey;
    this.#publicJwk = publicKey.export({ format: 'jwk' }) as { x: string; y: string };
  }

  #authData(flags: number, attested?: Buffer): Buffer {
    const count = Buffer.alloc(4);
    count.writeUInt32BE(this.counter);
    return Buffer.concat([createHash('sha256').update(RP.id).digest(), Buffer.from([flags]), count, ...(attested === undefined ? [] : [attested])]);
  }

  register(challenge: string): Parameters<WebAuthnFactor['register']>[1] {
    // COSE_Key (RFC 9053 §7.1.1): kty EC2, alg ES256, crv P-256, x, y
    const cose = cbor(new Map<number, unknown>([[1, 2], [3, -7], [-1, 1], [-2, Buffer.from(this.#publicJwk.x, 'base64url')], [-3, Buffer.from(this.#publicJwk.y, 'base64url')]]));
    const idLength = Buffer.from([0, this.credentialId.length]);
    const authData = this.#authData(0x45, Buffer.concat([Buffer.alloc(16), idLength, this.credentialId, cose]));
    const clientData = Buffer.from(JSON.stringify({ type: 'webauthn.create', challenge, origin: RP.origin, crossOrigin: false }));
    const attestation = cbor(new Map<string, unknown>([['fmt', 'none'], ['attStmt', new Map()], ['authData', authData]]));
    return { id: b64u(this.credentialId), rawId: b64u(this.credentialId), type: 'public-key', clientExtensionResults: {}, response: { clientDataJSON: b64u(clientData), attestationObject: b64u(attestation), transports: ['internal'] } };
  }

  assert(challenge: string, origin = RP.origin): Parameters<WebAuthnFactor['authenticate']>[1] {
    this.counter++;
    const authData = this.#authData(0x05);
    const clientData = Buffer.from(JSON.stringify({ type: 'webauthn.get', challenge, origin, crossOrigin: false }));
    const signature = sign('sha256', Buffer.concat([authData, createHash('sha256').update(clientData).digest()]), this.#key);
    return { id: b64u(this.credentialId), rawId: b64u(this.credentialId), type: 'public-key', clientExtensionResults: {}, response: { clientDataJSON: b64u(clientData), authenticatorData: b64u(authData), signature: b64u(signature) } };
  }
}

let f: AccessFixture;
let webauthn: WebAuthnFactor;
let auth: Authenticator;
beforeAll(async () => {
  f = await accessFixture();
  webauthn = new WebAuthnFactor(f.store, f.clock, f.audit, RP);
  auth = new Authenticator({ store: f.store, clock: f.clock, audit: f.audit, hasher: TEST_HASHER, webauthn });
});
afterAll(() => f.store.close());

describe('WebAuthn passkeys as a second factor', () => {
  it('registers a passkey and logs in with it; refuses a replayed assertion, a wrong origin and a cloned counter', async () => {
    const password = 'violet-anchor-drizzle';
    const user = await auth.createUser({ username: 'pat', password, roles: ['annotator'] }, undefined);
    const first = await auth.login('pat', password);
    await auth.completeMfa(first.challengeId, { totp: totpCode(first.enrolment?.secret ?? '', f.clock.nowMs()) });
    await expect(webauthn.register(user, new SoftAuthenticator().register('not-issued'))).rejects.toMatchObject({ code: 'mfa-required' });

    const device = new SoftAuthenticator();
    const options = await webauthn.registrationOptions(user);
    expect(options.rp).toEqual({ id: 'localhost', name: 'PHIGuard' });
    expect(await webauthn.register(user, device.register(options.challenge))).toBe(b64u(device.credentialId));

    const login = await auth.login('pat', password);
    const request = await auth.passkeyOptions(login.challengeId);
    const assertion = device.assert(request.challenge);
    await expect(auth.completeMfa(login.challengeId, { webauthn: assertion })).resolves.toMatchObject({ session: { userId: user.id } });

    const again = await auth.login('pat', password);
    await auth.passkeyOptions(again.challengeId);
    await expect(auth.completeMfa(again.challengeId, { webauthn: assertion })).rejects.toMatchObject({ code: 'mfa-invalid' });

    const third = await auth.login('pat', password);
    const r3 = await auth.passkeyOptions(third.challengeId);
    await expect(auth.completeMfa(third.challengeId, { webauthn: device.assert(r3.challenge, 'https://evil.example') })).rejects.toMatchObject({ code: 'mfa-invalid' });

    const fourth = await auth.login('pat', password);
    const r4 = await auth.passkeyOptions(fourth.challengeId);
    device.counter = 0; // a clone replays an older counter
    await expect(auth.completeMfa(fourth.challengeId, { webauthn: device.assert(r4.challenge) })).rejects.toMatchObject({ code: 'mfa-invalid' });
    expect(f.audit.events.filter((e) => e.reason === 'bad-passkey')).toHaveLength(3);
  });
});
