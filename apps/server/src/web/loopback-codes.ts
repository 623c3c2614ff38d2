import { createHash, randomBytes } from 'node:crypto';
import { AccessError } from '@phiguard/access';
import type { Clock } from '@phiguard/core';
import { s256Challenge, sameText } from './pkce.ts';

/** A login code lives this long between the browser and the CLI's exchange. */
export const LOOPBACK_CODE_TTL_MS = 60_000;
/** At most this many codes wait at once (each is a session the browser just opened). */
const MAX_PENDING = 10_000;
/**
 * RFC 8252 §7.3: the loopback redirect of a native app, on the IP literal (§8.3 prefers it over
 * `localhost`), any port, plain http (traffic never leaves the machine).
 */
export const LOOPBACK_REDIRECT_PATTERN = '^http://127\\.0\\.0\\.1:[1-9][0-9]{0,4}/[A-Za-z0-9/_-]{0,64}$';

/** What a code is bound to: the CLI's state nonce, its PKCE challenge and its loopback address. */
export interface LoopbackBinding {
  readonly state: string;
  readonly codeChallenge: string;
  readonly redirectUri: string;
}

interface Pending extends LoopbackBinding {
  readonly sessionToken: string;
  readonly sessionId: string;
  readonly expiresMs: number;
}

const refused = (message: string, field: string): AccessError => new AccessError('token-invalid', message, { place: { field } });

/**
 * One-time login codes of `phiguard login --passkey` (OAuth 2.0 for native apps, RFC 8252, with
 * PKCE, RFC 7636): the browser that proved password and passkey gets a code, the CLI exchanges it
 * with the verifier for the session. Codes are single use (any attempt spends them), expire after
 * 60 s, and are kept only as SHA-256 hashes. A replayed code ends the session it had opened
 * (RFC 6749 §4.1.2), and so does a failed exchange or an expired code: nobody else may hold it.
 * In memory, like the login and passkey challenges: one server process.
 */
export class LoopbackCodes {
  readonly #clock: Clock;
  readonly #endSession: (sessionId: string) => Promise<void>;
  readonly #pending = new Map<string, Pending>();
  readonly #spent = new Map<string, { readonly sessionId: string; readonly untilMs: number }>();

  constructor(clock: Clock, endSession: (sessionId: string) => Promise<void>) {
    this.#clock = clock;
    this.#endSession = endSession;
  }

  /** A fresh code for a session the browser opened, bound to the CLI's state, challenge and address. */
  async issue(session: { readonly token: string; readonly id: string }, binding: LoopbackBinding): Promise<string> {
    await this.#prune();
    if (this.#pending.size >= MAX_PENDING) {
      await this.#endSession(session.id);
      throw new AccessError('rate-limited', 'too many logins waiting for their code exchange; try again in a minute', { place: { field: 'code' } });
    }
    const code = randomBytes(32).toString('base64url');
    this.#pending.set(hashOf(code), { ...binding, sessionToken: session.token, sessionId: session.id, expiresMs: this.#clock.nowMs() + LOOPBACK_CODE_TTL_MS });
    return code;
  }

  /** The session token for a code, its verifier and the same state and address; throws `token-invalid`. */
  async redeem(code: string, codeVerifier: string, binding: Omit<LoopbackBinding, 'codeChallenge'>): Promise<string> {
    await this.#prune();
    const key = hashOf(code);
    const pending = this.#pending.get(key);
    if (pending === undefined) {
      const spent = this.#spent.get(key);
      if (spent !== undefined) {
        this.#spent.delete(key);
        await this.#endSession(spent.sessionId);
        throw refused('login code already used: refused, and the session it opened is ended; log in again', 'code');
      }
      throw refused('login code unknown or expired; log in again', 'code');
    }
    this.#pending.delete(key);
    this.#spent.set(key, { sessionId: pending.sessionId, untilMs: pending.expiresMs + LOOPBACK_CODE_TTL_MS });
    const problem = !sameText(pending.state, binding.state) ? refused('login code was issued for another state; log in again', 'state')
      : !sameText(pending.redirectUri, binding.redirectUri) ? refused('login code was issued for another redirect address; log in again', 'redirectUri')
        : !sameText(pending.codeChallenge, s256Challenge(codeVerifier)) ? refused('code verifier does not match the code challenge (RFC 7636 §4.6); log in again', 'codeVerifier')
          : undefined;
    if (problem !== undefined) {
      await this.#endSession(pending.sessionId);
      throw problem;
    }
    return pending.sessionToken;
  }

  /** Codes waiting for their exchange (tests, metrics). */
  get pendingCount(): number {
    return this.#pending.size;
  }

  async #prune(): Promise<void> {
    const now = this.#clock.nowMs();
    const ended: string[] = [];
    for (const [key, pending] of this.#pending) {
      if (pending.expiresMs > now) continue;
      this.#pending.delete(key);
      ended.push(pending.sessionId);
    }
    for (const [key, spent] of this.#spent) if (spent.untilMs <= now) this.#spent.delete(key);
    for (const id of ended) await this.#endSession(id);
  }
}

function hashOf(code: string): string {
  return createHash('sha256').update(code).digest('base64url');
}
