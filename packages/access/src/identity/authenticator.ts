import { newId, type Clock } from '@phiguard/core';
import type { AuditRecorder } from '@phiguard/audit';
import { AccessError } from '../access-error.ts';
import type { Role } from '../roles.ts';
import type { SessionRecord } from '../store/access-records.ts';
import type { AccessStore } from '../store/access-store.ts';
import type { PasswordHasher } from './password-hasher.ts';
import { PasswordPolicy } from './password-policy.ts';
import type { Principal, UserRecord } from './principal.ts';
import { newRecoveryCodes, recoveryCodeHash } from './recovery-codes.ts';
import { randomToken, sameHash, secretHash } from './secret-hash.ts';
import { matchTotp, newTotpSecret, totpUri } from './totp.ts';
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { WebAuthnFactor } from './webauthn-factor.ts';
import { SecretBox } from '../secrets/secret-box.ts';

export interface AuthenticatorOptions {
  readonly store: AccessStore;
  readonly hasher: PasswordHasher;
  readonly clock: Clock;
  readonly audit: AuditRecorder;
  readonly policy?: PasswordPolicy;
  /** Automatic logoff after this much inactivity (HIPAA §164.312(a)(2)(iii)); default 15 minutes. */
  readonly idleTimeoutMs?: number;
  /** Failed logins (password or second factor) before the account locks; default 5. */
  readonly maxFailures?: number;
  readonly lockoutMs?: number;
  /** How long a password-verified login may wait for its second factor; default 5 minutes. */
  readonly challengeTtlMs?: number;
  /** Passkeys as an alternative second factor (after TOTP enrolment). */
  readonly webauthn?: WebAuthnFactor | undefined;
  /**
   * Seals TOTP secrets at rest (AES-256-GCM bound to the user id). Without it secrets are stored
   * as they are: only for tests and benchmarks; the server always passes one.
   */
  readonly secrets?: SecretBox | undefined;
}

/** The answer to a correct password: a second-factor step, with enrolment data at first login. */
export interface MfaChallenge {
  readonly challengeId: string;
  readonly enrolment: { readonly secret: string; readonly uri: string } | undefined;
}

export interface NewSession {
  /** `ses_….<secret>`: what the client keeps. */
  readonly token: string;
  readonly session: SessionRecord;
  /** Shown once, at enrolment. */
  readonly recoveryCodes: readonly string[] | undefined;
}

export type SecondFactor = { readonly totp: string } | { readonly recoveryCode: string } | { readonly webauthn: AuthenticationResponseJSON };

interface Pending {
  readonly userId: string;
  readonly expiresMs: number;
  readonly enrolSecret: string | undefined;
}

// A fixed argon2id hash verified for unknown usernames so both paths cost the same (no user enumeration by timing).
const DUMMY_PASSWORD = 'phiguard-dummy-password-for-timing';

/**
 * Password → second factor → session (HIPAA §164.312(d)). TOTP is required for every human and
 * enrolled at first login; recovery codes are one-time; sessions end after inactivity.
 */
export class Authenticator {
  readonly #o: Required<Omit<AuthenticatorOptions, 'policy' | 'webauthn' | 'secrets'>> & { readonly policy: PasswordPolicy; readonly webauthn: WebAuthnFactor | undefined; readonly secrets: SecretBox | undefined };
  readonly #pending = new Map<string, Pending>();
  #dummyHash: string | undefined;

  constructor(options: AuthenticatorOptions) {
    this.#o = {
      idleTimeoutMs: 15 * 60_000, maxFailures: 5, lockoutMs: 15 * 60_000, challengeTtlMs: 5 * 60_000,
      ...options, policy: options.policy ?? new PasswordPolicy(), webauthn: options.webauthn, secrets: options.secrets,
    };
  }

  get idleTimeoutMs(): number {
    return this.#o.idleTimeoutMs;
  }

  async createUser(input: { readonly username: string; readonly password: string; readonly roles: readonly Role[]; readonly custodianOf?: readonly string[] }, by: Principal | undefined): Promise<UserRecord> {
    if (!/^[a-z][a-z0-9._-]{2,63}$/.test(input.username)) throw new AccessError('conflict', 'username must be 3-64 lower-case letters, digits, dot, dash or underscore', { place: { field: 'username' } });
    const verdict = this.#o.policy.check(input.password, input.username);
    if (!verdict.ok) throw new AccessError('weak-password', `password refused: ${verdict.reason}`, { place: { field: 'password' } });
    const user: UserRecord = Object.freeze({
      id: newId('usr', this.#o.clock), username: input.username, roles: Object.freeze([...input.roles]), passwordHash: await this.#o.hasher.hash(input.password),
      totpSecret: undefined, totpLastStep: -1, failedLogins: 0, lockedUntilMs: 0, disabled: false, custodianOf: Object.freeze([...(input.custodianOf ?? [])]),
      createdMs: this.#o.clock.nowMs(),
    });
    await this.#o.store.createUser(user);
    await this.#o.audit.record({ actor: by === undefined ? { kind: 'system', id: 'bootstrap' } : { kind: by.kind, id: by.id }, action: 'user.create', outcome: 'success', resources: [{ type: 'user', id: user.id }] });
    return user;
  }

  /** Step 1: the password. Throws `invalid-credentials` (same for unknown users) or `account-locked`. */
  async login(username: string, password: string, requestId?: string): Promise<MfaChallenge> {
    const { store, hasher, clock } = this.#o;
    const user = await store.findUserByName(username);
    if (user === undefined) {
      this.#dummyHash ??= await hasher.hash(DUMMY_PASSWORD);
      await hasher.verify(this.#dummyHash, password);
      await this.#event('system', 'auth', 'auth.login', 'failure', 'unknown-user', requestId);
      throw new AccessError('invalid-credentials', 'username or password is wrong', { place: { field: 'password' } });
    }
    this.#checkUsable(user);
    if (!(await hasher.verify(user.passwordHash, password))) {
      await this.#fail(user, 'bad-password', requestId);
      throw new AccessError('invalid-credentials', 'username or password is wrong', { place: { field: 'password' } });
    }
    const challengeId = randomToken(24);
    const enrolSecret = user.totpSecret === undefined ? newTotpSecret() : undefined;
    this.#prune();
    this.#pending.set(challengeId, { userId: user.id, expiresMs: clock.nowMs() + this.#o.challengeTtlMs, enrolSecret });
    await this.#event('user', user.id, 'auth.password', 'success', undefined, requestId);
    return { challengeId, enrolment: enrolSecret === undefined ? undefined : { secret: enrolSecret, uri: totpUri(enrolSecret, user.id) } };
  }

  /** Step 2: the TOTP code (enrolling the secret at first login) or a recovery code; opens a session. */
  async completeMfa(challengeId: string, factor: SecondFactor, requestId?: string): Promise<NewSession> {
    const { store, clock } = this.#o;
    const pending = this.#pending.get(challengeId);
    if (pending === undefined || pending.expiresMs <= clock.nowMs()) {
      this.#pending.delete(challengeId);
      throw new AccessError('mfa-required', 'login challenge unknown or expired; log in again', { place: { field: 'challengeId' } });
    }
    const user = await store.getUser(pending.userId);
    if (user === undefined) throw new AccessError('invalid-credentials', 'user no longer exists', { place: { field: 'challengeId' } });
    this.#checkUsable(user);
    await this.#verifyFactor(user, factor, pending.enrolSecret, requestId);
    this.#pending.delete(challengeId);
    let recoveryCodes: readonly string[] | undefined;
    if (pending.enrolSecret !== undefined) {
      await store.updateUser(user.id, { totpSecret: this.#sealTotp(user.id, pending.enrolSecret) });
      const fresh = newRecoveryCodes();
      await store.replaceRecoveryCodes(user.id, fresh.hashes);
      recoveryCodes = fresh.codes;
      await this.#event('user', user.id, 'auth.mfa-enrol', 'success', undefined, requestId);
    }
    await store.updateUser(user.id, { failedLogins: 0 });
    const secret = randomToken(32);
    const now = clock.nowMs();
    const session: SessionRecord = Object.freeze({ id: newId('ses', clock), userId: user.id, secretHash: secretHash(secret), createdMs: now, lastSeenMs: now, mfaMs: now, endedMs: undefined });
    await store.createSession(session);
    await this.#o.audit.record({ actor: { kind: 'user', id: user.id }, action: 'auth.login', outcome: 'success', resources: [{ type: 'session', id: session.id }], ...(requestId === undefined ? {} : { requestId }) });
    return { token: `${session.id}.${secret}`, session, recoveryCodes };
  }

  /** Passkey assertion options for a pending login (the user must have registered a passkey). */
  async passkeyOptions(challengeId: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const pending = this.#pending.get(challengeId);
    const user = pending === undefined || pending.expiresMs <= this.#o.clock.nowMs() ? undefined : await this.#o.store.getUser(pending.userId);
    if (user === undefined || this.#o.webauthn === undefined || pending?.enrolSecret !== undefined) throw new AccessError('mfa-required', 'no passkey login possible for this challenge', { place: { field: 'challengeId' } });
    return this.#o.webauthn.authenticationOptions(user);
  }

  /** A fresh second factor inside a session (break-glass needs one). */
  async reauthenticate(sessionId: string, factor: SecondFactor, requestId?: string): Promise<void> {
    const session = await this.#o.store.getSession(sessionId);
    const user = session === undefined ? undefined : await this.#o.store.getUser(session.userId);
    if (session === undefined || user === undefined) throw new AccessError('session-expired', 'session unknown', { place: { field: 'session' } });
    this.#checkUsable(user);
    await this.#verifyFactor(user, factor, undefined, requestId);
    await this.#o.store.touchSession(sessionId, { mfaMs: this.#o.clock.nowMs() });
  }

  /** The session behind a session token, refreshed; throws `session-expired` after inactivity or logout. */
  async resumeSession(token: string): Promise<{ readonly session: SessionRecord; readonly user: UserRecord }> {
    const { store, clock } = this.#o;
    const expired = (what: string): AccessError => new AccessError('session-expired', `session ${what}`, { place: { field: 'session' } });
    const [id = '', secret = ''] = token.split('.', 2);
    const session = await store.getSession(id);
    if (session === undefined || !sameHash(session.secretHash, secretHash(secret))) throw expired('unknown');
    const now = clock.nowMs();
    if (session.endedMs !== undefined) throw expired('ended');
    if (now - session.lastSeenMs >= this.#o.idleTimeoutMs) {
      await store.endSession(id, now);
      await this.#event('user', session.userId, 'auth.logoff', 'success', 'idle-timeout', undefined);
      throw expired('timed out');
    }
    const user = await store.getUser(session.userId);
    if (user === undefined || user.disabled) throw expired('user disabled');
    await store.touchSession(id, { lastSeenMs: now });
    return { session: { ...session, lastSeenMs: now }, user };
  }

  /** True while the session exists, has not ended and has not idled out (no refresh). */
  async sessionActive(sessionId: string): Promise<boolean> {
    const session = await this.#o.store.getSession(sessionId);
    return session !== undefined && this.isActive(session);
  }

  /** True when this session record has not ended nor idled out. */
  isActive(session: SessionRecord): boolean {
    return session.endedMs === undefined && this.#o.clock.nowMs() - session.lastSeenMs < this.#o.idleTimeoutMs;
  }

  async logout(sessionId: string): Promise<void> {
    const session = await this.#o.store.getSession(sessionId);
    if (session === undefined) return;
    await this.#o.store.endSession(sessionId, this.#o.clock.nowMs());
    await this.#event('user', session.userId, 'auth.logout', 'success', undefined, undefined);
  }

  async #verifyFactor(user: UserRecord, factor: SecondFactor, enrolSecret: string | undefined, requestId: string | undefined): Promise<void> {
    const { store, clock } = this.#o;
    if ('webauthn' in factor) {
      const webauthn = this.#o.webauthn;
      // TOTP is enrolled at first login; a passkey is an alternative only afterwards.
      if (webauthn === undefined || enrolSecret !== undefined) throw new AccessError('mfa-required', 'passkeys are not available here', { place: { field: 'webauthn' } });
      try {
        await webauthn.authenticate(user, factor.webauthn);
      } catch (error) {
        await this.#fail(user, 'bad-passkey', requestId);
        throw error;
      }
      return;
    }
    if ('recoveryCode' in factor) {
      if (enrolSecret === undefined && (await store.useRecoveryCode(user.id, recoveryCodeHash(factor.recoveryCode), clock.nowMs()))) {
        await this.#event('user', user.id, 'auth.recovery-code', 'success', undefined, requestId);
        return;
      }
      await this.#fail(user, 'bad-recovery-code', requestId);
      throw new AccessError('mfa-invalid', 'recovery code wrong or already used', { place: { field: 'recoveryCode' } });
    }
    const secret = enrolSecret ?? this.#openTotp(user);
    const step = secret === undefined ? undefined : matchTotp(secret, factor.totp, clock);
    if (step === undefined) {
      await this.#fail(user, 'bad-totp', requestId);
      throw new AccessError('mfa-invalid', 'one-time code wrong', { place: { field: 'totp' } });
    }
    // RFC 6238 §5.2: a code (time step) is accepted once; the store's compare-and-set decides races.
    if (!(await store.advanceTotpStep(user.id, step))) {
      await this.#fail(user, 'totp-replay', requestId);
      throw new AccessError('mfa-replayed', 'one-time code already used; wait for the next one', { place: { field: 'totp' } });
    }
  }

  /**
   * Seals every TOTP secret still stored in plaintext (rows from before secrets were sealed).
   * Idempotent; returns how many rows it sealed. Needs `secrets`.
   */
  async sealStoredTotpSecrets(): Promise<number> {
    const box = this.#o.secrets;
    if (box === undefined) throw new TypeError('sealStoredTotpSecrets needs the secrets option');
    let sealed = 0;
    for (const user of await this.#o.store.listUsers()) {
      if (user.totpSecret === undefined || SecretBox.isSealed(user.totpSecret)) continue;
      await this.#o.store.updateUser(user.id, { totpSecret: this.#sealTotp(user.id, user.totpSecret) });
      sealed++;
    }
    if (sealed > 0) await this.#event('system', 'access', 'auth.totp-secrets-sealed', 'success', undefined, undefined);
    return sealed;
  }

  #sealTotp(userId: string, secret: string): string {
    return this.#o.secrets === undefined ? secret : this.#o.secrets.seal('totp-secret', userId, Buffer.from(secret, 'utf8'));
  }

  #openTotp(user: UserRecord): string | undefined {
    const stored = user.totpSecret;
    if (stored === undefined || !SecretBox.isSealed(stored)) return stored;
    if (this.#o.secrets === undefined) throw new AccessError('sealed-secret-invalid', 'TOTP secrets are sealed but no secrets key was given', { place: { field: 'totp' } });
    return this.#o.secrets.open('totp-secret', user.id, stored).toString('utf8');
  }

  #checkUsable(user: UserRecord): void {
    if (user.disabled) throw new AccessError('invalid-credentials', 'account disabled', { place: { field: 'username' } });
    if (user.lockedUntilMs > this.#o.clock.nowMs()) throw new AccessError('account-locked', 'account locked after repeated failures; try later', { place: { field: 'username' }, hint: 'an administrator can unlock it' });
  }

  async #fail(user: UserRecord, reason: string, requestId: string | undefined): Promise<void> {
    const count = await this.#o.store.countFailedLogin(user.id);
    await this.#event('user', user.id, 'auth.login', 'failure', reason, requestId);
    if (count >= this.#o.maxFailures) {
      await this.#o.store.updateUser(user.id, { lockedUntilMs: this.#o.clock.nowMs() + this.#o.lockoutMs, failedLogins: 0 });
      await this.#event('user', user.id, 'auth.lockout', 'denied', 'too-many-failures', requestId);
    }
  }

  async #event(kind: 'user' | 'system', id: string, action: string, outcome: 'success' | 'failure' | 'denied', reason: string | undefined, requestId: string | undefined): Promise<void> {
    await this.#o.audit.record({ actor: { kind, id }, action, outcome, ...(reason === undefined ? {} : { reason }), ...(requestId === undefined ? {} : { requestId }) });
  }

  #prune(): void {
    const now = this.#o.clock.nowMs();
    for (const [id, p] of this.#pending) if (p.expiresMs <= now) this.#pending.delete(id);
  }
}
