import { randomBytes } from 'node:crypto';
import { newId, type Clock } from '@phiguard/core';
import type { AuditActor, AuditDetails, AuditEventInput, AuditRecorder, AuditResource } from '@phiguard/audit';
import { KeysError } from '../keys-error.ts';
import { KEY_ID, type KeyMetadata, type WrappedDataKey } from '../key-provider.ts';
import { openState, readKeystoreFile, saveKeystoreFile, type Argon2Params, type KeystoreFile, type KeystoreUnlock } from '../local/keystore-file.ts';
import { acquireFileLock } from '../local/file-lock.ts';
import { deserializeState, emptyState, serializeState, type ApprovalRequest, type DualControlOperation, type KeystoreState } from '../local/keystore-state.ts';
import { describeRecord, LocalKeyProvider, LOCAL_PROVIDER_ID } from '../local/local-key-provider.ts';
import { checkApproval, checkApproved, checkPrincipal, openRequest, REQUEST_TTL_MS } from './dual-control.ts';

export interface KeyManagerOptions {
  /** The keystore file, e.g. `.phiguard/keys/keystore.json`. */
  readonly file: string;
  readonly unlock: KeystoreUnlock;
  readonly audit: AuditRecorder;
  readonly clock: Clock;
  /** argon2id cost for a new passphrase wrap (tests lower it). */
  readonly argon2?: Argon2Params;
}

/** Per-item outcome of a rewrap batch; a failure never loses the original wrap. */
export type RewrapResult =
  | { readonly ok: true; readonly wrapped: WrappedDataKey; readonly changed: boolean }
  | { readonly ok: false; readonly code: string };

/** A key that needs M-of-N approval before `destroy`, `export` or lowering the minimum version. */
export type ApprovalRequestView = Readonly<Omit<ApprovalRequest, 'approvals'>> & { readonly approvals: readonly { readonly by: string; readonly atMs: number }[] };

/**
 * Key lifecycle over the local keystore (HIPAA §164.312(a)(2)(iv); NIST SP 800-171 3.13.10):
 * versioned KEKs, scheduled rotation, rewrap, minimum decryption version, disable, and
 * crypto-shredding under M-of-N custodian approval. Every operation is an audit event naming
 * who requested and who approved; no event carries key material.
 */
export class KeyManager {
  /** The KeyProvider view of this keystore, for sealing and unsealing. */
  readonly provider: LocalKeyProvider;
  readonly #options: KeyManagerOptions;
  #content: KeystoreFile;
  #storeKey: Buffer;
  #state: KeystoreState;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: KeyManagerOptions, content: KeystoreFile, storeKey: Buffer, state: KeystoreState) {
    this.#options = options;
    this.#content = content;
    this.#storeKey = storeKey;
    this.#state = state;
    this.provider = new LocalKeyProvider(() => this.#state);
  }

  get custodians(): { readonly ids: readonly string[]; readonly threshold: number } {
    return this.#state.custodians;
  }

  list(): KeyMetadata[] {
    return [...this.#state.keys.values()].map(describeRecord);
  }

  describe(keyId: string): KeyMetadata {
    const record = this.#state.keys.get(keyId);
    if (record === undefined) throw new KeysError('unknown-key', 'no such key', { place: { path: keyId } });
    return describeRecord(record);
  }

  /** Creates a KEK with version 1. `rotationPeriodMs` enables {@link rotateDue}. */
  async createKey(actor: string, keyId: string, options: { rotationPeriodMs?: number } = {}): Promise<KeyMetadata> {
    return this.mutate(actor, 'key.create', keyId, () => {
      if (!KEY_ID.test(keyId)) throw new TypeError('key id must be a lower-case code (a-z, 0-9, . _ -), at most 64 characters');
      if (this.#state.keys.has(keyId)) throw new KeysError('key-exists', 'a key with this id exists', { place: { path: keyId } });
      const now = this.#options.clock.nowMs();
      this.#state.keys.set(keyId, {
        keyId,
        createdAtMs: now,
        state: 'enabled',
        minDecryptVersion: 1,
        rotationPeriodMs: options.rotationPeriodMs ?? null,
        versions: [{ version: 1, createdAtMs: now, material: freshMaterial() }],
      });
      return { result: this.describe(keyId), details: { version: 1 } };
    });
  }

  /** Adds a new version; new wraps use it, older versions still unwrap (until the minimum is raised). */
  async rotate(actor: string, keyId: string): Promise<KeyMetadata> {
    return this.mutate(actor, 'key.rotate', keyId, () => {
      const record = this.usableRecord(keyId);
      const version = (record.versions.at(-1)?.version ?? 0) + 1;
      record.versions.push({ version, createdAtMs: this.#options.clock.nowMs(), material: freshMaterial() });
      return { result: describeRecord(record), details: { version } };
    });
  }

  /** Scheduled rotation: rotates every enabled key whose newest version is older than its period. */
  async rotateDue(actor: string): Promise<KeyMetadata[]> {
    const now = this.#options.clock.nowMs();
    const due = [...this.#state.keys.values()].filter(
      (r) => r.state === 'enabled' && r.rotationPeriodMs !== null && now - (r.versions.at(-1)?.createdAtMs ?? 0) >= r.rotationPeriodMs,
    );
    const out: KeyMetadata[] = [];
    for (const record of due) out.push(await this.rotate(actor, record.keyId));
    return out;
  }

  /**
   * Re-wraps stored DEKs under each key's newest version without touching the data they protect
   * (NIST SP 800-57 Part 1 §8.2.3). Per-item results; one audit event per key per batch.
   */
  async rewrap(actor: string, items: readonly WrappedDataKey[]): Promise<RewrapResult[]> {
    checkPrincipal(actor, 'actor');
    const counts = new Map<string, { rewrapped: number; failed: number; toVersion: number }>();
    const results = items.map((item): RewrapResult => {
      const count = counts.get(item.keyId) ?? { rewrapped: 0, failed: 0, toVersion: 0 };
      counts.set(item.keyId, count);
      try {
        const latest = this.#state.keys.get(item.keyId)?.versions.at(-1)?.version;
        if (item.provider === LOCAL_PROVIDER_ID && latest === item.version) {
          this.provider.unwrapSync(item).fill(0);
          return { ok: true, wrapped: item, changed: false };
        }
        const wrapped = this.provider.rewrapSync(item);
        count.rewrapped += 1;
        count.toVersion = wrapped.version;
        return { ok: true, wrapped, changed: true };
      } catch (error) {
        count.failed += 1;
        return { ok: false, code: error instanceof KeysError ? error.code : 'provider-error' };
      }
    });
    for (const [keyId, count] of counts) {
      await this.recordEvent(actor, 'key.rewrap', [{ type: 'key', id: keyId }], { ...count, provider: LOCAL_PROVIDER_ID }, count.failed > 0 ? 'failure' : 'success');
    }
    return results;
  }

  /** Raises the minimum decryption version (no approval needed: it only takes access away). */
  async raiseMinDecryptVersion(actor: string, keyId: string, version: number): Promise<KeyMetadata> {
    return this.mutate(actor, 'key.min-version', keyId, () => {
      const record = this.usableRecord(keyId);
      const latest = record.versions.at(-1)?.version ?? 1;
      if (!Number.isSafeInteger(version) || version <= record.minDecryptVersion || version > latest) {
        throw new TypeError('the new minimum must be above the current one and at most the newest version');
      }
      record.minDecryptVersion = version;
      return { result: describeRecord(record), details: { version } };
    });
  }

  async disable(actor: string, keyId: string): Promise<KeyMetadata> {
    return this.setEnabled(actor, keyId, false);
  }

  async enable(actor: string, keyId: string): Promise<KeyMetadata> {
    return this.setEnabled(actor, keyId, true);
  }

  /** Files a request for a dual-control operation; custodians then approve it by id. */
  async request(actor: string, operation: DualControlOperation, keyId: string, version: number | null = null): Promise<ApprovalRequestView> {
    checkPrincipal(actor, 'actor');
    return this.mutate(actor, 'key.request', keyId, () => {
      const record = this.#state.keys.get(keyId);
      if (record === undefined || record.state === 'destroyed') throw new KeysError(record === undefined ? 'unknown-key' : 'key-destroyed', 'key cannot be the subject of a request', { place: { path: keyId } });
      const now = this.#options.clock.nowMs();
      const request: ApprovalRequest = {
        id: newId('kreq', this.#options.clock),
        operation,
        keyId,
        version,
        requestedBy: actor,
        requestedAtMs: now,
        expiresAtMs: now + REQUEST_TTL_MS,
        approvals: [],
        status: 'open',
      };
      this.#state.requests.push(request);
      return { result: view(request), details: { operation, request: request.id, ...(version === null ? {} : { version }) } };
    });
  }

  /** A custodian approves (never the requester, never twice). */
  async approve(custodian: string, requestId: string): Promise<ApprovalRequestView> {
    checkPrincipal(custodian, 'custodian');
    const request = this.#state.requests.find((r) => r.id === requestId);
    return this.mutate(custodian, 'key.approve', request?.keyId ?? null, () => {
      const open = openRequest(this.#state, requestId, this.#options.clock.nowMs());
      checkApproval(this.#state, open, custodian);
      open.approvals.push({ by: custodian, atMs: this.#options.clock.nowMs() });
      return { result: view(open), details: { request: requestId, operation: open.operation, approvals: open.approvals.length, threshold: this.#state.custodians.threshold } };
    });
  }

  listRequests(): ApprovalRequestView[] {
    return this.#state.requests.map(view);
  }

  /**
   * Crypto-shredding (NIST SP 800-88 Rev. 1 §2.6 cryptographic erase): erases the key's material
   * (one version, or all) from memory and from the keystore file. Everything sealed under it can
   * no longer be unwrapped. Needs an approved `destroy` request; only its requester carries it out.
   */
  async destroy(actor: string, requestId: string): Promise<KeyMetadata> {
    return this.carryOut(actor, requestId, 'destroy', 'key.destroy', (request) => {
      const record = this.recordOf(request.keyId);
      if (request.version === null) {
        record.state = 'destroyed';
        for (const v of record.versions) erase(v);
      } else {
        const version = record.versions.find((v) => v.version === request.version);
        if (version === undefined) throw new KeysError('unknown-key', 'no such key version', { place: { path: request.keyId, index: request.version } });
        if (version === record.versions.at(-1)) throw new TypeError('rotate before destroying the newest version');
        erase(version);
      }
      return describeRecord(record);
    });
  }

  /** Exports one version's raw material (e.g. to move it into an HSM). Needs an approved `export` request. */
  async exportKey(actor: string, requestId: string): Promise<Buffer> {
    return this.carryOut(actor, requestId, 'export', 'key.export', (request) => {
      const record = this.usableRecord(request.keyId);
      const version = request.version === null ? record.versions.at(-1) : record.versions.find((v) => v.version === request.version);
      if (version?.material == null) throw new KeysError('key-destroyed', 'key version has no material', { place: { path: request.keyId } });
      return Buffer.from(version.material);
    });
  }

  /** Lowers the minimum decryption version (re-opens old versions). Needs an approved request. */
  async lowerMinDecryptVersion(actor: string, requestId: string): Promise<KeyMetadata> {
    return this.carryOut(actor, requestId, 'lower-min-version', 'key.min-version', (request) => {
      const record = this.usableRecord(request.keyId);
      if (request.version === null || request.version < 1 || request.version >= record.minDecryptVersion) throw new TypeError('the request must name a lower minimum version');
      record.minDecryptVersion = request.version;
      return describeRecord(record);
    });
  }

  /** Zeroes every key in memory. The manager is unusable afterwards. */
  close(): void {
    for (const record of this.#state.keys.values()) for (const v of record.versions) v.material?.fill(0);
    this.#storeKey.fill(0);
    this.#state = emptyState([], 0);
  }

  /** Records an audit event from this manager (ids, counts and codes only). */
  async recordEvent(actor: string, action: string, resources: AuditResource[], details: AuditDetails, outcome: 'success' | 'failure' | 'denied' = 'success', reason?: string): Promise<void> {
    const who: AuditActor = { kind: 'user', id: actor };
    await this.#options.audit.record({ actor: who, action, outcome, resources, details, ...(reason === undefined ? {} : { reason }) });
  }

  /** Records an event as given, for callers that add a purpose of use and request id (data-key-use.ts). */
  async record(event: AuditEventInput): Promise<void> {
    await this.#options.audit.record(event);
  }

  private async carryOut<T>(actor: string, requestId: string, operation: DualControlOperation, action: string, run: (request: ApprovalRequest) => T): Promise<T> {
    checkPrincipal(actor, 'actor');
    const request = this.#state.requests.find((r) => r.id === requestId);
    return this.mutate(actor, action, request?.keyId ?? null, () => {
      const open = openRequest(this.#state, requestId, this.#options.clock.nowMs());
      if (open.operation !== operation) throw new KeysError('request-not-found', `request is not for ${operation}`, { place: { path: requestId } });
      if (open.requestedBy !== actor) throw new KeysError('approval-required', 'only the requester carries out an approved request', { place: { path: requestId } });
      checkApproved(this.#state, open);
      const result = run(open);
      open.status = 'done';
      const details: Record<string, string | number> = { request: requestId, approvals: open.approvals.length, provider: LOCAL_PROVIDER_ID };
      open.approvals.forEach((a, i) => (details[`approver${i + 1}`] = a.by));
      if (open.version !== null) details.version = open.version;
      return { result, details };
    });
  }

  /** Runs a state change, saves the file atomically, then records the event; failures are recorded as denied. */
  private async mutate<T>(actor: string, action: string, keyId: string | null, change: () => { result: T; details: AuditDetails }): Promise<T> {
    checkPrincipal(actor, 'actor');
    const run = async (): Promise<T> => {
      const resources: AuditResource[] = keyId === null || !KEY_ID.test(keyId) ? [] : [{ type: 'key', id: keyId }];
      // Read-modify-write under the file lock, starting from what is on disk (another process may have saved).
      const release = await acquireFileLock(this.#options.file);
      let done: { ok: true; outcome: { result: T; details: AuditDetails } } | { ok: false; error: Error };
      try {
        await this.refresh();
        const before = serializeState(this.#state);
        try {
          const outcome = change();
          await this.save();
          done = { ok: true, outcome };
        } catch (error) {
          // Nothing half-done stays in memory: restore the last saved state.
          this.replaceState(deserializeState(before));
          done = { ok: false, error: error instanceof Error ? error : new Error('non-error thrown') };
        } finally {
          before.fill(0);
        }
      } finally {
        await release();
      }
      if (!done.ok) {
        const code = done.error instanceof KeysError ? done.error.code : 'invalid-argument';
        await this.recordEvent(actor, action, resources, { provider: LOCAL_PROVIDER_ID }, 'denied', code);
        throw done.error;
      }
      await this.recordEvent(actor, action, resources, { ...done.outcome.details, provider: LOCAL_PROVIDER_ID });
      return done.outcome.result;
    };
    const next = this.#queue.then(run, run);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /**
   * Picks up changes another process saved (a destroy, a rotation). Lifecycle operations do this
   * themselves; long-running processes that only wrap and unwrap should call it periodically.
   */
  async reload(): Promise<void> {
    const release = await acquireFileLock(this.#options.file);
    try {
      await this.refresh();
    } finally {
      await release();
    }
  }

  /** Reloads the state when the file changed since this manager last read or wrote it. */
  private async refresh(): Promise<void> {
    const content = await readKeystoreFile(this.#options.file);
    if (content.state === this.#content.state) return;
    const bytes = openState(this.#storeKey, content, this.#options.file);
    this.replaceState(deserializeState(bytes));
    bytes.fill(0);
    this.#content = content;
  }

  private replaceState(next: KeystoreState): void {
    for (const record of this.#state.keys.values()) for (const v of record.versions) v.material?.fill(0);
    this.#state = next;
  }

  private async save(): Promise<void> {
    const bytes = serializeState(this.#state);
    try {
      this.#content = await saveKeystoreFile(this.#options.file, this.#content, this.#storeKey, bytes);
    } finally {
      bytes.fill(0);
    }
  }

  private recordOf(keyId: string) {
    const record = this.#state.keys.get(keyId);
    if (record === undefined) throw new KeysError('unknown-key', 'no such key', { place: { path: keyId } });
    return record;
  }

  private usableRecord(keyId: string) {
    const record = this.recordOf(keyId);
    if (record.state === 'destroyed') throw new KeysError('key-destroyed', 'key was destroyed', { place: { path: keyId } });
    return record;
  }

  private async setEnabled(actor: string, keyId: string, enabled: boolean): Promise<KeyMetadata> {
    return this.mutate(actor, enabled ? 'key.enable' : 'key.disable', keyId, () => {
      const record = this.usableRecord(keyId);
      record.state = enabled ? 'enabled' : 'disabled';
      return { result: describeRecord(record), details: {} };
    });
  }
}

function freshMaterial(): Buffer {
  const material = Buffer.alloc(32);
  randomBytes(32).copy(material);
  return material;
}

function erase(version: { material: Buffer | null }): void {
  version.material?.fill(0);
  version.material = null;
}

function view(request: ApprovalRequest): ApprovalRequestView {
  return Object.freeze({ ...request, approvals: Object.freeze(request.approvals.map((a) => Object.freeze({ ...a }))) });
}
