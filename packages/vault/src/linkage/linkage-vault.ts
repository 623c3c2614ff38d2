import { createHash, createHmac, hkdfSync } from 'node:crypto';
import { isPurposeOfUse, type AuditDetails, type AuditEventInput, type AuditRecorder, type PurposeOfUse } from '@phiguard/audit';
import { encodeBase32, isBaseError, newId, type Clock } from '@phiguard/core';
import { sealBuffer, unsealBuffer, type KeyProvider } from '@phiguard/keys';
import { VaultError, type VaultErrorCode } from '../vault-error.ts';
import type { LinkageStore, ReidRequest, ReidState } from './linkage-store.ts';

export interface LinkageVaultOptions {
  readonly store: LinkageStore;
  readonly provider: KeyProvider;
  /** The linkage vault's own KEK (never a dataset key): ARCHITECTURE §1. */
  readonly keyId: string;
  readonly audit: AuditRecorder;
  readonly clock: Clock;
  /** Principals allowed to approve; default: anyone but the requester. */
  readonly approvers?: readonly string[];
  /**
   * The reveal window: an approved request must be revealed within this time of its approval
   * (default 24 h); afterwards it is `approval-expired`. Config `linkage.revealWindowMs`.
   */
  readonly requestTtlMs?: number;
  /** An open request lapses (`expired`, can no longer be decided) after this time (default 7 days). Config `linkage.openTtlMs`. */
  readonly openTtlMs?: number;
}

/** An original identifier, returned only by an approved, ledgered reveal. */
export interface RevealedValue {
  readonly kind: string;
  readonly value: string;
}

export const LINKAGE_TOKEN = /^LNK-[0-9A-Z]{32}$/;
const KIND = /^[a-z][a-z0-9._-]{0,63}$/;
const MAX_TOKENS_PER_REQUEST = 10_000;
/** A stated reason: one to 2,000 characters of text, no control characters but tab and newline. */
const REASON = /^[^\u0000-\u0008\u000b-\u001f\u007f]{1,2000}$/u;
/** Defaults of `requestTtlMs` and `openTtlMs` (also those of the config's `linkage` section). */
export const DEFAULT_REVEAL_WINDOW_MS = 86_400_000;
export const DEFAULT_OPEN_TTL_MS = 7 * 86_400_000;
const MAX_LIST = 1_000;
const ENTRY_FORMAT = 'phiguard.linkage-entry/1';
/** Prefix of a stated reason sealed under the vault KEK (base64 envelope follows). */
const SEALED_TEXT = 'sealed:';

/**
 * The linkage vault (ARCHITECTURE §1; issue 3): `tokenize` maps an identifier to an opaque
 * token (HMAC-SHA-256 under a token key that is itself sealed under the vault's own KEK, so the
 * same value and key always give the same token) and keeps token → value sealed under that KEK.
 * Re-identification needs a request with an HL7 v3 purpose of use, approval by a different
 * person, and a reveal by the requester; each step is a ledger entry. Every failure fails
 * closed: no original value is returned unless every step succeeded, including the ledger entry
 * of the reveal, and errors carry no values.
 */
export class LinkageVault {
  readonly #o: LinkageVaultOptions;
  readonly #macKey: Buffer;
  readonly #pending = new Map<string, RevealedValue>();

  private constructor(options: LinkageVaultOptions, macKey: Buffer) {
    this.#o = options;
    this.#macKey = macKey;
  }

  /**
   * Opens the vault that `phiguard deid … --linkage-key` created, under the KEK its token key is
   * wrapped with; undefined when no vault exists yet (nothing was ever tokenized into it).
   */
  static async openExisting(options: Omit<LinkageVaultOptions, 'keyId'>): Promise<LinkageVault | undefined> {
    const stored = await options.store.getTokenKey();
    return stored === undefined ? undefined : LinkageVault.open({ ...options, keyId: stored.keyId });
  }

  /** Opens the vault, creating its token key (a DEK wrapped under `keyId`) on first use. */
  static async open(options: LinkageVaultOptions): Promise<LinkageVault> {
    let stored = await options.store.getTokenKey();
    if (stored === undefined) {
      const generated = await options.provider.generateDataKey(options.keyId);
      generated.plaintext.fill(0);
      stored = await options.store.putTokenKey(generated.wrapped, options.clock.nowMs());
    }
    if (stored.keyId !== options.keyId || stored.provider !== options.provider.id) {
      throw new VaultError('invalid-argument', 'the linkage vault was created under another key', { place: { field: 'keyId' } });
    }
    const tokenKey = await options.provider.unwrapDataKey(stored);
    const macKey = Buffer.from(hkdfSync('sha256', tokenKey, Buffer.alloc(0), 'phiguard linkage token v1', 32));
    tokenKey.fill(0);
    return new LinkageVault(options, macKey);
  }

  /** `LinkageTokenizer` of `@phiguard/deid`: value → token, deterministic for a kind and key. Buffered until {@link flush}. */
  tokenize(kind: string, value: string): string {
    if (!KIND.test(kind)) throw new TypeError('linkage kind must be a lower-case code');
    const mac = createHmac('sha256', this.#macKey).update(kind).update('\u0000').update(value, 'utf8').digest();
    const token = `LNK-${encodeBase32(mac.subarray(0, 20)).toUpperCase()}`;
    if (!this.#pending.has(token)) this.#pending.set(token, Object.freeze({ kind, value }));
    return token;
  }

  /** Seals the buffered entries under the vault KEK and stores them; resolve before releasing de-identified output. */
  async flush(): Promise<void> {
    const batch = [...this.#pending.entries()];
    const sealed: { token: string; sealed: Buffer }[] = [];
    for (const [token, entry] of batch) {
      const payload = Buffer.from(JSON.stringify({ format: ENTRY_FORMAT, token, kind: entry.kind, value: entry.value }), 'utf8');
      sealed.push({ token, sealed: await sealBuffer(payload, { wrapWith: [{ provider: this.#o.provider, keyId: this.#o.keyId }], context: { purpose: 'linkage', token } }) });
      payload.fill(0);
    }
    await this.#o.store.putEntries(sealed, this.#o.clock.nowMs());
    for (const [token] of batch) this.#pending.delete(token);
  }

  /** The KEK id the vault's token key and entries are sealed under. */
  get keyId(): string {
    return this.#o.keyId;
  }

  /**
   * Asks to re-identify `tokens` for a purpose of use, with a stated reason for the reviewer;
   * returns the request (status `open`). Free text may name people: the reason is stored sealed
   * under the vault KEK (like the entries) and the ledger entry binds it by its SHA-256 only.
   */
  async request(input: { readonly requester: string; readonly tokens: readonly string[]; readonly purpose: PurposeOfUse; readonly reason: string }): Promise<ReidRequest> {
    if (!REASON.test(input.reason)) throw new VaultError('request-invalid', 'a request states a reason: 1 to 2,000 characters, no control characters', { place: { field: 'reason' } });
    if (!isPurposeOfUse(input.purpose)) throw new VaultError('request-invalid', 'purpose of use must be an HL7 v3 PurposeOfUse code', { place: { field: 'purpose' } });
    if (input.tokens.length === 0 || input.tokens.length > MAX_TOKENS_PER_REQUEST) throw new VaultError('request-invalid', 'a request names 1 to 10,000 tokens', { place: { field: 'tokens' } });
    input.tokens.forEach((t, index) => {
      if (!LINKAGE_TOKEN.test(t)) throw new VaultError('request-invalid', 'not a linkage token', { place: { field: 'tokens', index } });
    });
    const request: ReidRequest = Object.freeze({
      id: newId('reid', this.#o.clock),
      requester: input.requester,
      purpose: input.purpose,
      tokens: Object.freeze([...new Set(input.tokens)]),
      createdMs: this.#o.clock.nowMs(),
      status: 'open',
      decidedBy: null,
      decidedMs: null,
      reason: input.reason,
      decisionReason: null,
      revealedMs: null,
      withdrawnMs: null,
    });
    await this.#o.store.createRequest({ ...request, reason: await this.#sealText(input.reason, request.id, 'reason') });
    await this.#record(input.requester, 'linkage.reveal.request', request, 'success', undefined, { reasonSha256: sha256(input.reason) });
    return request;
  }

  /** Approves as a second person: never the requester; only a listed approver when a list is configured. */
  async approve(input: { readonly requestId: string; readonly approver: string }): Promise<void> {
    await this.#decide(input.requestId, input.approver, 'approved');
  }

  /** Denies as a second person (same rules as approve), with an optional stated reason for the requester. */
  async deny(input: { readonly requestId: string; readonly approver: string; readonly reason?: string }): Promise<void> {
    if (input.reason !== undefined && !REASON.test(input.reason)) throw new VaultError('request-invalid', 'a reason is 1 to 2,000 characters, no control characters', { place: { field: 'reason' } });
    await this.#decide(input.requestId, input.approver, 'denied', input.reason);
  }

  /** One request (its tokens, purpose, reason, status), or undefined. Carries no original value. */
  async get(requestId: string): Promise<ReidRequest | undefined> {
    const found = await this.#o.store.getRequest(requestId);
    return found === undefined ? undefined : this.#withReasons(found);
  }

  /**
   * Requests by requester and/or state (see {@link stateOf}: `open` lists only those that have
   * not lapsed, `expired` the lapsed ones; `approved` only those still in their reveal window,
   * `approval-expired` the others), newest first (at most 1,000). Carries no original value.
   */
  async list(filter: { readonly requester?: string; readonly statuses?: readonly ReidState[]; readonly limit?: number } = {}): Promise<readonly ReidRequest[]> {
    const limit = Math.min(Math.max(1, Math.trunc(filter.limit ?? 100)), MAX_LIST);
    const now = this.#o.clock.nowMs();
    const found = await this.#o.store.listRequests({
      ...(filter.requester === undefined ? {} : { requester: filter.requester }),
      ...(filter.statuses === undefined ? {} : { statuses: filter.statuses, expiredBeforeMs: now - this.#openTtlMs, approvalExpiredBeforeMs: now - this.#revealWindowMs }),
      limit,
    });
    const out: ReidRequest[] = [];
    for (const r of found) out.push(await this.#withReasons(r));
    return out;
  }

  /**
   * The stored status, or (by the clock, now) `expired` for an open request older than
   * `openTtlMs`, `approval-expired` for an approved one whose reveal window has passed.
   */
  stateOf(request: ReidRequest): ReidState {
    if (request.status === 'open' && this.#lapsed(request)) return 'expired';
    if (request.status === 'approved' && request.decidedMs !== null && this.#expired(request)) return 'approval-expired';
    return request.status;
  }

  /**
   * Withdraws the caller's own request while it is open (lapsed or not) or approved and not yet
   * revealed; afterwards it can be neither decided nor revealed. Only the requester may; each
   * attempt is a `linkage.reveal.withdraw` ledger entry. A refusal: `approval-denied` (someone
   * else's request) or `request-closed` (denied, revealed or withdrawn already).
   */
  async withdraw(input: { readonly requestId: string; readonly actor: string }): Promise<ReidRequest> {
    // Statuses only move forward (open → approved → revealed), so this re-reads at most twice.
    for (let attempt = 0; ; attempt++) {
      const request = await this.#o.store.getRequest(input.requestId);
      if (request === undefined) throw new VaultError('not-found', 'no such re-identification request', { place: { field: 'requestId' } });
      if (request.requester !== input.actor) {
        await this.#record(input.actor, 'linkage.reveal.withdraw', request, 'denied', 'not-requester');
        throw new VaultError('approval-denied', 'only the requester can withdraw a request', { place: { field: 'actor' } });
      }
      if ((request.status !== 'open' && request.status !== 'approved') || attempt > 2) {
        await this.#record(input.actor, 'linkage.reveal.withdraw', request, 'denied', 'not-withdrawable');
        throw new VaultError('request-closed', `request is ${request.status}; only an open or approved request can be withdrawn`, { place: { field: 'status' } });
      }
      if (await this.#o.store.transition(request.id, request.status, 'withdrawn', input.actor, this.#o.clock.nowMs())) {
        await this.#record(input.actor, 'linkage.reveal.withdraw', request, 'success', undefined, { from: request.status });
        const after = await this.get(request.id);
        if (after === undefined) throw new VaultError('store-error', 'a withdrawn request vanished', { place: { field: 'requestId' } });
        return after;
      }
    }
  }

  /** When an approved request can no longer be revealed (decision time + reveal window, also once passed); null unless approved. */
  expiresMs(request: ReidRequest): number | null {
    return request.status === 'approved' && request.decidedMs !== null ? request.decidedMs + this.#revealWindowMs : null;
  }

  /**
   * Returns the originals of an approved request, once, to its requester. Order of steps: claim
   * the request (approved → revealed), unseal every entry (context and payload must name the
   * token), record `linkage.reveal` in the ledger, then return. Any failure: `reveal-failed`
   * (or `approval-denied`), nothing returned, decrypted buffers dropped.
   */
  async reveal(input: { readonly requestId: string; readonly actor: string; readonly purpose?: PurposeOfUse }): Promise<ReadonlyMap<string, RevealedValue>> {
    let request: ReidRequest | undefined;
    try {
      request = await this.#o.store.getRequest(input.requestId);
      if (request === undefined) throw new VaultError('not-found', 'no such re-identification request', { place: { field: 'requestId' } });
      if (request.requester !== input.actor) throw new VaultError('approval-denied', 'only the requester can reveal', { place: { field: 'actor' } });
      // Purpose-bound: the reveal states the purpose the request was approved for.
      if (input.purpose !== undefined && input.purpose !== request.purpose) throw new VaultError('approval-denied', 'the purpose of use differs from the approved one', { place: { field: 'purpose' } });
      if (request.status === 'withdrawn') throw new VaultError('request-closed', 'request was withdrawn', { place: { field: 'status' } });
      if (request.status !== 'approved') throw new VaultError('approval-denied', 'request is not approved (or was revealed already)', { place: { field: 'status' } });
      if (this.#expired(request)) throw new VaultError('approval-denied', 'the reveal window of the approval has passed (approval-expired)', { place: { field: 'decidedMs' } });
      if (!(await this.#o.store.transition(request.id, 'approved', 'revealed', input.actor, this.#o.clock.nowMs()))) {
        throw new VaultError('approval-denied', 'request was revealed concurrently', { place: { field: 'status' } });
      }
      const out = new Map<string, RevealedValue>();
      for (const [index, token] of request.tokens.entries()) out.set(token, await this.#open(token, index));
      await this.#record(input.actor, 'linkage.reveal', request, 'success');
      return out;
    } catch (error) {
      const code: VaultErrorCode = isBaseError(error) && (error.code === 'approval-denied' || error.code === 'not-found' || error.code === 'request-closed') ? error.code : 'reveal-failed';
      if (request !== undefined) await this.#record(input.actor, 'linkage.reveal', request, code === 'reveal-failed' ? 'error' : 'denied', code).catch(() => undefined);
      // Causes only of our own typed errors (they carry no values); anything else is dropped.
      throw new VaultError(code, code === 'reveal-failed' ? 're-identification failed; nothing was revealed' : 're-identification refused', {
        ...(isBaseError(error) ? { cause: error } : {}),
      });
    }
  }

  async #open(token: string, index: number): Promise<RevealedValue> {
    const sealed = await this.#o.store.getEntry(token);
    if (sealed === undefined) throw new VaultError('not-found', 'no linkage entry for a token', { place: { field: 'tokens', index } });
    const plain = await unsealBuffer(sealed, { providers: [this.#o.provider], expectContext: { purpose: 'linkage', token } });
    let parsed: unknown;
    try {
      parsed = JSON.parse(plain.toString('utf8'));
    } catch {
      parsed = undefined;
    } finally {
      plain.fill(0);
    }
    const entry = parsed as { format?: unknown; token?: unknown; kind?: unknown; value?: unknown } | undefined;
    if (entry?.format !== ENTRY_FORMAT || entry.token !== token || typeof entry.kind !== 'string' || typeof entry.value !== 'string') {
      throw new VaultError('reveal-failed', 'linkage entry is malformed', { place: { field: 'tokens', index } });
    }
    return Object.freeze({ kind: entry.kind, value: entry.value });
  }

  async #decide(requestId: string, approver: string, to: 'approved' | 'denied', note?: string): Promise<void> {
    const request = await this.#o.store.getRequest(requestId);
    if (request === undefined) throw new VaultError('not-found', 'no such re-identification request', { place: { field: 'requestId' } });
    const action = to === 'approved' ? 'linkage.reveal.approve' : 'linkage.reveal.deny';
    const refuse = async (reason: string, message: string, code: VaultErrorCode = 'approval-denied'): Promise<never> => {
      await this.#record(approver, action, request, 'denied', reason);
      throw new VaultError(code, message, { place: { field: code === 'approval-denied' ? 'approver' : 'status' } });
    };
    if (approver === request.requester) await refuse('self-approval', 'nobody approves their own request');
    if (this.#o.approvers !== undefined && !this.#o.approvers.includes(approver)) await refuse('not-an-approver', 'this principal may not approve re-identification');
    if (request.status === 'withdrawn') await refuse('withdrawn', 'request was withdrawn by its requester', 'request-closed');
    if (request.status !== 'open') await refuse('not-open', 'request was decided already');
    if (this.#lapsed(request)) await refuse('request-expired', 'request has lapsed without a decision; the requester may ask again', 'request-expired');
    const sealedNote = note === undefined ? undefined : await this.#sealText(note, request.id, 'decision');
    if (!(await this.#o.store.transition(request.id, 'open', to, approver, this.#o.clock.nowMs(), sealedNote))) await refuse('not-open', 'request was decided concurrently');
    await this.#record(approver, action, request, 'success', undefined, note === undefined ? {} : { reasonSha256: sha256(note) });
  }

  async #sealText(text: string, requestId: string, field: 'reason' | 'decision'): Promise<string> {
    const sealed = await sealBuffer(Buffer.from(text, 'utf8'), { wrapWith: [{ provider: this.#o.provider, keyId: this.#o.keyId }], context: { purpose: 'linkage-reason', request: requestId, field } });
    return `${SEALED_TEXT}${sealed.toString('base64')}`;
  }

  /** The stated reasons in clear; a stored reason that does not unseal fails the read (no partial answers). */
  async #withReasons(r: ReidRequest): Promise<ReidRequest> {
    const open = async (stored: string, field: 'reason' | 'decision'): Promise<string> => {
      // Rows from before migration 2 have an empty, unsealed reason.
      if (!stored.startsWith(SEALED_TEXT)) return stored;
      try {
        return (await unsealBuffer(Buffer.from(stored.slice(SEALED_TEXT.length), 'base64'), { providers: [this.#o.provider], expectContext: { purpose: 'linkage-reason', request: r.id, field } })).toString('utf8');
      } catch {
        throw new VaultError('store-error', 'a stored reason does not unseal', { place: { field: field === 'reason' ? 'reason' : 'decisionReason' } });
      }
    };
    return Object.freeze({ ...r, reason: await open(r.reason, 'reason'), decisionReason: r.decisionReason === null ? null : await open(r.decisionReason, 'decision') });
  }

  get #openTtlMs(): number {
    return this.#o.openTtlMs ?? DEFAULT_OPEN_TTL_MS;
  }

  get #revealWindowMs(): number {
    return this.#o.requestTtlMs ?? DEFAULT_REVEAL_WINDOW_MS;
  }

  /** An open request lapses `openTtlMs` after it was made (the same rule as the store's list filter). */
  #lapsed(request: ReidRequest): boolean {
    return this.#o.clock.nowMs() - request.createdMs > this.#openTtlMs;
  }

  /** An approval lapses `requestTtlMs` after it was given (the same rule as the store's list filter). */
  #expired(request: ReidRequest): boolean {
    return request.decidedMs === null || this.#o.clock.nowMs() - request.decidedMs > this.#revealWindowMs;
  }

  async #record(actor: string, action: string, request: ReidRequest, outcome: AuditEventInput['outcome'], reason?: string, extra: AuditDetails = {}): Promise<void> {
    const details: AuditDetails = { tokens: request.tokens.length, ...extra };
    await this.#o.audit.record({
      actor: { kind: actor.startsWith('svc_') ? 'service' : 'user', id: actor },
      action,
      outcome,
      purpose: request.purpose,
      resources: [{ type: 'reid-request', id: request.id }],
      details,
      ...(reason === undefined ? {} : { reason }),
    });
  }
}

function sha256(text: string): string {
  return `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;
}
