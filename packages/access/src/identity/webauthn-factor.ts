import {
  generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse,
  type AuthenticationResponseJSON, type PublicKeyCredentialCreationOptionsJSON, type PublicKeyCredentialRequestOptionsJSON, type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { Clock } from '@phiguard/core';
import type { AuditRecorder } from '@phiguard/audit';
import { AccessError } from '../access-error.ts';
import type { AccessStore } from '../store/access-store.ts';
import type { UserRecord } from './principal.ts';

/** The relying party (W3C WebAuthn Level 3 §5.1.2): the server's host name and its https origin. */
export interface RelyingParty {
  readonly id: string;
  readonly name: string;
  readonly origin: string;
}

const CHALLENGE_TTL_MS = 5 * 60_000;

/**
 * WebAuthn passkeys as a second factor (issue 7), via @simplewebauthn/server: registration and
 * authentication ceremonies (W3C WebAuthn Level 3 §7.1, §7.2). Challenges are one-time and expire
 * after 5 minutes; signature counters must grow (§6.1.1) or the assertion is refused.
 */
export class WebAuthnFactor {
  readonly #store: AccessStore;
  readonly #clock: Clock;
  readonly #audit: AuditRecorder;
  readonly #rp: RelyingParty;
  readonly #challenges = new Map<string, { readonly challenge: string; readonly expiresMs: number; readonly kind: 'register' | 'authenticate' }>();

  constructor(store: AccessStore, clock: Clock, audit: AuditRecorder, rp: RelyingParty) {
    this.#store = store;
    this.#clock = clock;
    this.#audit = audit;
    this.#rp = rp;
  }

  /** The relying party: its https origin is where browsers must run the ceremonies. */
  get relyingParty(): RelyingParty {
    return this.#rp;
  }

  async registrationOptions(user: UserRecord): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const existing = await this.#store.listWebAuthnCredentials(user.id);
    const options = await generateRegistrationOptions({
      rpName: this.#rp.name, rpID: this.#rp.id, userName: user.id, userID: new TextEncoder().encode(user.id), attestationType: 'none',
      excludeCredentials: existing.map((c) => ({ id: c.id })), authenticatorSelection: { userVerification: 'preferred', residentKey: 'preferred' },
      supportedAlgorithmIDs: [-7, -8], // ES256, EdDSA
    });
    this.#challenges.set(user.id, { challenge: options.challenge, expiresMs: this.#clock.nowMs() + CHALLENGE_TTL_MS, kind: 'register' });
    return options;
  }

  async register(user: UserRecord, response: RegistrationResponseJSON): Promise<string> {
    const expectedChallenge = this.#take(user.id, 'register');
    const result = await verifyRegistrationResponse({ response, expectedChallenge, expectedOrigin: this.#rp.origin, expectedRPID: this.#rp.id, supportedAlgorithmIDs: [-7, -8] })
      .catch((cause: unknown) => { throw new AccessError('mfa-invalid', 'passkey registration refused', { cause, place: { field: 'webauthn' } }); });
    if (!result.verified) throw new AccessError('mfa-invalid', 'passkey registration refused', { place: { field: 'webauthn' } });
    const { credential } = result.registrationInfo;
    await this.#store.addWebAuthnCredential({ id: credential.id, userId: user.id, publicKey: credential.publicKey, counter: credential.counter, createdMs: this.#clock.nowMs() });
    await this.#audit.record({ actor: { kind: 'user', id: user.id }, action: 'auth.passkey-register', outcome: 'success' });
    return credential.id;
  }

  async authenticationOptions(user: UserRecord): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const credentials = await this.#store.listWebAuthnCredentials(user.id);
    if (credentials.length === 0) throw new AccessError('mfa-required', 'no passkey registered', { place: { field: 'webauthn' } });
    const options = await generateAuthenticationOptions({ rpID: this.#rp.id, allowCredentials: credentials.map((c) => ({ id: c.id })), userVerification: 'preferred' });
    this.#challenges.set(user.id, { challenge: options.challenge, expiresMs: this.#clock.nowMs() + CHALLENGE_TTL_MS, kind: 'authenticate' });
    return options;
  }

  /** Verifies an assertion; throws `mfa-invalid` (bad signature, unknown credential, counter not growing) or `mfa-required`. */
  async authenticate(user: UserRecord, response: AuthenticationResponseJSON): Promise<void> {
    const expectedChallenge = this.#take(user.id, 'authenticate');
    const refused = (cause?: unknown): AccessError => new AccessError('mfa-invalid', 'passkey assertion refused', { place: { field: 'webauthn' }, ...(cause === undefined ? {} : { cause }) });
    const stored = (await this.#store.listWebAuthnCredentials(user.id)).find((c) => c.id === response.id);
    if (stored === undefined) throw refused();
    const result = await verifyAuthenticationResponse({
      response, expectedChallenge, expectedOrigin: this.#rp.origin, expectedRPID: this.#rp.id,
      credential: { id: stored.id, publicKey: new Uint8Array(stored.publicKey), counter: stored.counter },
    }).catch((cause: unknown) => { throw refused(cause); });
    if (!result.verified || !(await this.#store.advanceWebAuthnCounter(stored.id, result.authenticationInfo.newCounter))) throw refused();
  }

  #take(userId: string, kind: 'register' | 'authenticate'): string {
    const pending = this.#challenges.get(userId);
    this.#challenges.delete(userId);
    if (pending?.kind !== kind || pending.expiresMs <= this.#clock.nowMs()) throw new AccessError('mfa-required', 'passkey challenge unknown or expired; start again', { place: { field: 'webauthn' } });
    return pending.challenge;
  }
}
