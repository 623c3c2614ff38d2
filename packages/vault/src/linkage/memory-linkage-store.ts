import type { LinkageStore, ReidRequest, ReidRequestFilter, ReidState, ReidStatus, StoredTokenKey } from './linkage-store.ts';

/**
 * {@link LinkageStore} in memory, for demos and tests that need no database: the same contract
 * as `SqlLinkageStore` (entries inserted once, compare-and-set transitions, newest-first lists),
 * nothing persisted. Entries are still sealed by the vault before they arrive here.
 */
export class MemoryLinkageStore implements LinkageStore {
  #key: StoredTokenKey | undefined;
  readonly #entries = new Map<string, Uint8Array>();
  readonly #requests = new Map<string, ReidRequest>();

  getTokenKey(): Promise<StoredTokenKey | undefined> {
    return Promise.resolve(this.#key);
  }

  putTokenKey(key: StoredTokenKey): Promise<StoredTokenKey> {
    this.#key ??= Object.freeze({ ...key, wrapped: new Uint8Array(key.wrapped) });
    return Promise.resolve(this.#key);
  }

  putEntries(entries: readonly { readonly token: string; readonly sealed: Uint8Array }[]): Promise<void> {
    for (const e of entries) if (!this.#entries.has(e.token)) this.#entries.set(e.token, new Uint8Array(e.sealed));
    return Promise.resolve();
  }

  getEntry(token: string): Promise<Uint8Array | undefined> {
    const sealed = this.#entries.get(token);
    return Promise.resolve(sealed === undefined ? undefined : new Uint8Array(sealed));
  }

  createRequest(request: ReidRequest): Promise<void> {
    if (this.#requests.has(request.id)) return Promise.reject(new TypeError('duplicate re-identification request id'));
    this.#requests.set(request.id, Object.freeze({ ...request }));
    return Promise.resolve();
  }

  getRequest(id: string): Promise<ReidRequest | undefined> {
    return Promise.resolve(this.#requests.get(id));
  }

  listRequests(filter: ReidRequestFilter): Promise<readonly ReidRequest[]> {
    const before = (ms: number | null, cutoff: number | undefined): boolean => ms !== null && cutoff !== undefined && ms < cutoff;
    const stateOf = (r: ReidRequest): ReidState =>
      r.status === 'open' && before(r.createdMs, filter.expiredBeforeMs) ? 'expired'
      : r.status === 'approved' && before(r.decidedMs, filter.approvalExpiredBeforeMs) ? 'approval-expired'
      : r.status;
    const found = [...this.#requests.values()]
      .filter((r) => (filter.requester === undefined || r.requester === filter.requester) && (filter.statuses === undefined || filter.statuses.includes(stateOf(r))))
      .sort((a, b) => b.createdMs - a.createdMs || (a.id < b.id ? 1 : -1));
    return Promise.resolve(found.slice(0, filter.limit));
  }

  transition(id: string, from: ReidStatus, to: ReidStatus, by: string, atMs: number, note?: string): Promise<boolean> {
    const r = this.#requests.get(id);
    if (r?.status !== from) return Promise.resolve(false);
    const next: ReidRequest =
      to === 'revealed' ? { ...r, status: to, revealedMs: atMs }
      : to === 'withdrawn' ? { ...r, status: to, withdrawnMs: atMs }
      : { ...r, status: to, decidedBy: by, decidedMs: atMs, decisionReason: note ?? null };
    this.#requests.set(id, Object.freeze(next));
    return Promise.resolve(true);
  }
}
