import { randomBytes } from 'node:crypto';
import type { AuditRecorder, SqlDriver } from '@phiguard/audit';
import { ManualClock } from '@phiguard/core';
import type { LinkageTokenizer } from '@phiguard/deid';
import { createMemoryKeyProvider, type KeyProvider } from '@phiguard/keys';
import { MemoryAuditRecorder } from '@phiguard/testkit';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openVaultDatabase } from '../sql/open-vault-database.ts';
import { SqlLinkageStore } from '../sql/sql-linkage-store.ts';
import type { LinkageStore } from './linkage-store.ts';
import { LINKAGE_TOKEN, LinkageVault, type LinkageVaultOptions } from './linkage-vault.ts';

const ALICE = 'usr_01jxk3q8y9a2b3c4d5e6f7g8h9';
const BOB = 'usr_01jxk3q8y9a2b3c4d5e6f7g8ha';
const CAROL = 'usr_01jxk3q8y9a2b3c4d5e6f7g8hb';
const T0 = Date.UTC(2026, 10, 1);
const SEEDED = ['SMITH^JOHNATHAN', 'MRN-4417-2209', '1961-04-17', '555-867-5309'];

let driver: SqlDriver;
let store: LinkageStore;
let provider: KeyProvider;
let clock: ManualClock;
let audit: MemoryAuditRecorder;
let base: LinkageVaultOptions;
let vault: LinkageVault;
let tokens: string[];

beforeAll(async () => {
  driver = await openVaultDatabase({ kind: 'pglite' });
  store = new SqlLinkageStore(driver);
  provider = createMemoryKeyProvider(['linkage-key', 'dataset-key'], T0).provider;
  clock = new ManualClock(T0);
  audit = new MemoryAuditRecorder();
  base = { store, provider, keyId: 'linkage-key', audit, clock };
  vault = await LinkageVault.open(base);
  tokens = SEEDED.map((value, i) => vault.tokenize(i === 1 ? 'mrn' : 'name', value));
  await vault.flush();
});
afterAll(async () => {
  await driver.close();
});

async function approvedRequest(v: LinkageVault = vault): Promise<string> {
  const request = await v.request({ requester: ALICE, tokens, purpose: 'HRESCH', reason: 'contact trial candidates' });
  await v.approve({ requestId: request.id, approver: BOB });
  return request.id;
}

/** Every output channel of a failure, as text. */
function channels(error: unknown): string {
  const e = error as Error;
  return [String(e), e.stack ?? '', JSON.stringify(e), String((e as { cause?: unknown }).cause), JSON.stringify(audit.events)].join('\n');
}

describe('LinkageVault tokens', () => {
  it('is a LinkageTokenizer: same value and key give the same token, across reopenings', async () => {
    const tokenizer: LinkageTokenizer = vault;
    const again = await LinkageVault.open(base);
    fc.assert(
      fc.property(fc.constantFrom('name', 'mrn', 'other-id'), fc.string(), fc.string(), (kind, a, b) => {
        const ta = tokenizer.tokenize(kind, a);
        expect(ta).toMatch(LINKAGE_TOKEN);
        expect(again.tokenize(kind, a)).toBe(ta);
        if (a !== b) expect(tokenizer.tokenize(kind, b)).not.toBe(ta);
      }),
      { numRuns: 200 },
    );
    expect(vault.tokenize('name', 'X')).not.toBe(vault.tokenize('mrn', 'X'));
  });

  it('stores entries sealed: no seeded value in any table, in clear', async () => {
    const dump: string[] = [];
    for (const table of ['vault_linkage_keys', 'vault_linkage_entries', 'vault_reid_requests']) {
      for (const row of await driver.query<Record<string, unknown>>(`SELECT * FROM ${table}`)) {
        for (const value of Object.values(row)) dump.push(value instanceof Uint8Array ? Buffer.from(value).toString('latin1') : String(value));
      }
    }
    expect(dump.length).toBeGreaterThan(SEEDED.length);
    for (const seed of SEEDED) expect(dump.join('\n')).not.toContain(seed);
  });

  it('another KEK (another vault) gives other tokens; opening a vault under another key is refused', async () => {
    const otherDriver = await openVaultDatabase({ kind: 'pglite' });
    try {
      const other = await LinkageVault.open({ ...base, store: new SqlLinkageStore(otherDriver) });
      expect(other.tokenize('name', SEEDED[0] ?? '')).not.toBe(tokens[0]);
      await expect(LinkageVault.open({ ...base, keyId: 'dataset-key' })).rejects.toMatchObject({ code: 'invalid-argument' });
    } finally {
      await otherDriver.close();
    }
  });
});

describe('LinkageVault re-identification', () => {
  it('request (purpose) → approval by another person → one reveal by the requester; all ledgered', async () => {
    const request = await vault.request({ requester: ALICE, tokens, purpose: 'HRESCH', reason: 'contact trial candidates' });
    await expect(vault.approve({ requestId: request.id, approver: ALICE })).rejects.toMatchObject({ code: 'approval-denied' });
    await expect(vault.reveal({ requestId: request.id, actor: ALICE })).rejects.toMatchObject({ code: 'approval-denied' });
    await vault.approve({ requestId: request.id, approver: BOB });
    await expect(vault.reveal({ requestId: request.id, actor: BOB })).rejects.toMatchObject({ code: 'approval-denied' });
    const revealed = await vault.reveal({ requestId: request.id, actor: ALICE });
    expect(tokens.map((t) => revealed.get(t)?.value)).toEqual(SEEDED);
    expect(revealed.get(tokens[1] ?? '')?.kind).toBe('mrn');
    await expect(vault.reveal({ requestId: request.id, actor: ALICE })).rejects.toMatchObject({ code: 'approval-denied' });
    const mine = audit.events.filter((e) => e.resources?.[0]?.id === request.id).map((e) => [e.action, e.outcome, e.reason ?? null, e.purpose]);
    expect(mine).toEqual([
      ['linkage.reveal.request', 'success', null, 'HRESCH'],
      ['linkage.reveal.approve', 'denied', 'self-approval', 'HRESCH'],
      ['linkage.reveal', 'denied', 'approval-denied', 'HRESCH'],
      ['linkage.reveal.approve', 'success', null, 'HRESCH'],
      ['linkage.reveal', 'denied', 'approval-denied', 'HRESCH'],
      ['linkage.reveal', 'success', null, 'HRESCH'],
      ['linkage.reveal', 'denied', 'approval-denied', 'HRESCH'],
    ]);
  });

  it('denied requests, unlisted approvers, bad purposes, unknown tokens and expired approvals reveal nothing', async () => {
    const denied = await vault.request({ requester: ALICE, tokens, purpose: 'TREAT', reason: 'follow-up of a finding' });
    await vault.deny({ requestId: denied.id, approver: BOB });
    await expect(vault.approve({ requestId: denied.id, approver: CAROL })).rejects.toMatchObject({ code: 'approval-denied' });
    await expect(vault.reveal({ requestId: denied.id, actor: ALICE })).rejects.toMatchObject({ code: 'approval-denied' });

    const listed = await LinkageVault.open({ ...base, approvers: [CAROL] });
    const r = await listed.request({ requester: ALICE, tokens, purpose: 'TREAT', reason: 'follow-up of a finding' });
    await expect(listed.approve({ requestId: r.id, approver: BOB })).rejects.toMatchObject({ code: 'approval-denied' });

    await expect(vault.request({ requester: ALICE, tokens, purpose: 'CURIOSITY' as 'TREAT', reason: 'x' })).rejects.toMatchObject({ code: 'request-invalid' });
    await expect(vault.request({ requester: ALICE, tokens: [SEEDED[0] ?? ''], purpose: 'TREAT', reason: 'follow-up of a finding' })).rejects.toMatchObject({ code: 'request-invalid' });

    const unknown = await vault.request({ requester: ALICE, tokens: [`LNK-${'0'.repeat(32)}`], purpose: 'TREAT', reason: 'follow-up of a finding' });
    await vault.approve({ requestId: unknown.id, approver: BOB });
    await expect(vault.reveal({ requestId: unknown.id, actor: ALICE })).rejects.toMatchObject({ code: 'not-found' });

    const late = await approvedRequest();
    clock.advance(86_400_001);
    await expect(vault.reveal({ requestId: late, actor: ALICE })).rejects.toMatchObject({ code: 'approval-denied' });
    clock.set(T0);
  });
});

describe('LinkageVault requests for reviewers', () => {
  it('keeps the stated reasons for reviewers; the ledger has their hashes only', async () => {
    const reason = 'Finding 17 of model m-4 needs a call-back to the patient (oncology)';
    const r = await vault.request({ requester: ALICE, tokens, purpose: 'TREAT', reason });
    expect((await vault.get(r.id))?.reason).toBe(reason);
    await vault.deny({ requestId: r.id, approver: BOB, reason: 'not covered by protocol P-9' });
    const denied = await vault.get(r.id);
    expect(denied).toMatchObject({ status: 'denied', decidedBy: BOB, decisionReason: 'not covered by protocol P-9', revealedMs: null });
    const ledger = JSON.stringify(audit.events);
    expect(ledger).not.toContain('Finding 17');
    expect(ledger).not.toContain('protocol P-9');
    // Sealed at rest like the entries: neither text is in any row, in clear.
    const rows = JSON.stringify(await driver.query('SELECT reason, decision_reason FROM vault_reid_requests'));
    expect(rows).not.toContain('Finding 17');
    expect(rows).not.toContain('protocol P-9');
    expect(rows).toContain('sealed:');
    // A reason swapped in from another request does not unseal (bound to its request id).
    const other = await vault.request({ requester: ALICE, tokens, purpose: 'TREAT', reason: 'another' });
    await driver.query('UPDATE vault_reid_requests SET reason = (SELECT reason FROM vault_reid_requests WHERE id = $1) WHERE id = $2', [r.id, other.id]);
    await expect(vault.get(other.id)).rejects.toMatchObject({ code: 'store-error' });
    await driver.query('DELETE FROM vault_reid_requests WHERE id = $1', [other.id]);
    const mine = audit.events.filter((e) => e.resources?.[0]?.id === r.id);
    expect(mine.map((e) => e.details?.reasonSha256)).toEqual([expect.stringMatching(/^sha256:[0-9a-f]{64}$/), expect.stringMatching(/^sha256:[0-9a-f]{64}$/)]);
    for (const bad of ['', 'x'.repeat(2001), 'line\u0000nul']) {
      await expect(vault.request({ requester: ALICE, tokens, purpose: 'TREAT', reason: bad })).rejects.toMatchObject({ code: 'request-invalid', place: { field: 'reason' } });
    }
  });

  it('lists by requester and status, newest first; shows when an approval expires', async () => {
    const driver2 = await openVaultDatabase({ kind: 'pglite' });
    try {
      const c = new ManualClock(T0);
      const v = await LinkageVault.open({ ...base, store: new SqlLinkageStore(driver2), clock: c, requestTtlMs: 3_600_000 });
      const ids: string[] = [];
      for (const [requester, purpose] of [[ALICE, 'HRESCH'], [CAROL, 'TREAT'], [ALICE, 'TREAT']] as const) {
        c.advance(1000);
        ids.push((await v.request({ requester, tokens: [tokens[0] ?? ''], purpose, reason: 'r' })).id);
      }
      await v.approve({ requestId: ids[0] ?? '', approver: BOB });
      expect((await v.list({ requester: ALICE })).map((r) => r.id)).toEqual([ids[2], ids[0]]);
      expect((await v.list({ statuses: ['open'] })).map((r) => r.id)).toEqual([ids[2], ids[1]]);
      expect((await v.list({ statuses: [] }))).toEqual([]);
      expect(await v.list({ limit: 1 })).toHaveLength(1);
      const approved = await v.get(ids[0] ?? '');
      expect(approved === undefined ? null : v.expiresMs(approved)).toBe(T0 + 3000 + 3_600_000);
      const open = await v.get(ids[1] ?? '');
      expect(open === undefined ? 0 : v.expiresMs(open)).toBeNull();
    } finally {
      await driver2.close();
    }
  });

  it('an open request lapses after openTtlMs: shown and listed as expired, approval refused (request-expired) and ledgered', async () => {
    const driver2 = await openVaultDatabase({ kind: 'pglite' });
    try {
      const c = new ManualClock(T0);
      const a = new MemoryAuditRecorder();
      const v = await LinkageVault.open({ ...base, store: new SqlLinkageStore(driver2), clock: c, audit: a, openTtlMs: 3_600_000 });
      const old = await v.request({ requester: ALICE, tokens: [tokens[0] ?? ''], purpose: 'HRESCH', reason: 'r' });
      c.advance(3_600_000);
      // At exactly openTtlMs it is still open (lapse is strictly after).
      expect(v.stateOf((await v.get(old.id)) ?? old)).toBe('open');
      const fresh = await v.request({ requester: ALICE, tokens: [tokens[0] ?? ''], purpose: 'HRESCH', reason: 'r' });
      c.advance(1);
      expect(v.stateOf((await v.get(old.id)) ?? old)).toBe('expired');
      expect(v.stateOf((await v.get(fresh.id)) ?? fresh)).toBe('open');
      expect((await v.list({ statuses: ['open'] })).map((r) => r.id)).toEqual([fresh.id]);
      expect((await v.list({ statuses: ['expired'] })).map((r) => r.id)).toEqual([old.id]);
      expect((await v.list({ statuses: ['open', 'expired'] })).map((r) => r.id)).toEqual([fresh.id, old.id]);
      await expect(v.approve({ requestId: old.id, approver: BOB })).rejects.toMatchObject({ code: 'request-expired', place: { field: 'status' } });
      await expect(v.deny({ requestId: old.id, approver: BOB })).rejects.toMatchObject({ code: 'request-expired' });
      expect((await v.get(old.id))?.status).toBe('open');
      await v.approve({ requestId: fresh.id, approver: BOB });
      expect(a.events.filter((e) => e.resources?.[0]?.id === old.id).map((e) => [e.action, e.outcome, e.reason ?? null])).toEqual([
        ['linkage.reveal.request', 'success', null],
        ['linkage.reveal.approve', 'denied', 'request-expired'],
        ['linkage.reveal.deny', 'denied', 'request-expired'],
      ]);
      // The requester can still withdraw a lapsed request (tidying up their list).
      expect(v.stateOf(await v.withdraw({ requestId: old.id, actor: ALICE }))).toBe('withdrawn');
    } finally {
      await driver2.close();
    }
  });

  it('an approval lapses after requestTtlMs: shown and listed as approval-expired, reveal refused (approval-denied) and ledgered', async () => {
    const driver2 = await openVaultDatabase({ kind: 'pglite' });
    try {
      const c = new ManualClock(T0);
      const a = new MemoryAuditRecorder();
      const v = await LinkageVault.open({ ...base, store: new SqlLinkageStore(driver2), clock: c, audit: a, requestTtlMs: 3_600_000 });
      const old = await v.request({ requester: ALICE, tokens: [tokens[0] ?? ''], purpose: 'HRESCH', reason: 'r' });
      await v.approve({ requestId: old.id, approver: BOB });
      c.advance(3_600_000);
      // At exactly the reveal window it is still approved (lapse is strictly after).
      expect(v.stateOf((await v.get(old.id)) ?? old)).toBe('approved');
      const fresh = await v.request({ requester: ALICE, tokens: [tokens[0] ?? ''], purpose: 'HRESCH', reason: 'r' });
      await v.approve({ requestId: fresh.id, approver: BOB });
      c.advance(1);
      const shown = (await v.get(old.id)) ?? old;
      expect(v.stateOf(shown)).toBe('approval-expired');
      expect(v.expiresMs(shown)).toBe(T0 + 3_600_000);
      expect(v.stateOf((await v.get(fresh.id)) ?? fresh)).toBe('approved');
      expect((await v.list({ statuses: ['approved'] })).map((r) => r.id)).toEqual([fresh.id]);
      expect((await v.list({ statuses: ['approval-expired'] })).map((r) => r.id)).toEqual([old.id]);
      expect((await v.list({ statuses: ['approved', 'approval-expired'] })).map((r) => r.id)).toEqual([fresh.id, old.id]);
      await expect(v.reveal({ requestId: old.id, actor: ALICE, purpose: 'HRESCH' })).rejects.toMatchObject({ code: 'approval-denied' });
      expect((await v.get(old.id))?.status).toBe('approved');
      expect(a.events.filter((e) => e.resources?.[0]?.id === old.id).map((e) => [e.action, e.outcome, e.reason ?? null])).toEqual([
        ['linkage.reveal.request', 'success', null],
        ['linkage.reveal.approve', 'success', null],
        ['linkage.reveal', 'denied', 'approval-denied'],
      ]);
    } finally {
      await driver2.close();
    }
  });

  it('the requester, only, withdraws an open or approved request; afterwards approve and reveal are refused; ledgered', async () => {
    const open = await vault.request({ requester: ALICE, tokens, purpose: 'HRESCH', reason: 'r' });
    await expect(vault.withdraw({ requestId: open.id, actor: BOB })).rejects.toMatchObject({ code: 'approval-denied' });
    clock.advance(5);
    const withdrawn = await vault.withdraw({ requestId: open.id, actor: ALICE });
    expect(withdrawn).toMatchObject({ status: 'withdrawn', withdrawnMs: clock.nowMs(), decidedBy: null });
    await expect(vault.approve({ requestId: open.id, approver: BOB })).rejects.toMatchObject({ code: 'request-closed' });
    await expect(vault.withdraw({ requestId: open.id, actor: ALICE })).rejects.toMatchObject({ code: 'request-closed' });
    expect(audit.events.filter((e) => e.resources?.[0]?.id === open.id).map((e) => [e.action, e.outcome, e.reason ?? null])).toEqual([
      ['linkage.reveal.request', 'success', null],
      ['linkage.reveal.withdraw', 'denied', 'not-requester'],
      ['linkage.reveal.withdraw', 'success', null],
      ['linkage.reveal.approve', 'denied', 'withdrawn'],
      ['linkage.reveal.withdraw', 'denied', 'not-withdrawable'],
    ]);

    const approved = await approvedRequest();
    const after = await vault.withdraw({ requestId: approved, actor: ALICE });
    // The approval stays on record; the request can no longer be revealed.
    expect(after).toMatchObject({ status: 'withdrawn', decidedBy: BOB });
    await expect(vault.reveal({ requestId: approved, actor: ALICE })).rejects.toMatchObject({ code: 'request-closed' });
    expect(audit.events.filter((e) => e.resources?.[0]?.id === approved).map((e) => [e.action, e.outcome, e.reason ?? null, e.details?.from ?? null]).slice(-2)).toEqual([
      ['linkage.reveal.withdraw', 'success', null, 'approved'],
      ['linkage.reveal', 'denied', 'request-closed', null],
    ]);
    expect((await vault.list({ requester: ALICE, statuses: ['withdrawn'] })).map((r) => r.id)).toEqual(expect.arrayContaining([open.id, approved]));

    const revealed = await approvedRequest();
    await vault.reveal({ requestId: revealed, actor: ALICE });
    await expect(vault.withdraw({ requestId: revealed, actor: ALICE })).rejects.toMatchObject({ code: 'request-closed' });
    await expect(vault.withdraw({ requestId: 'reid_01j00000000000000000000000', actor: ALICE })).rejects.toMatchObject({ code: 'not-found' });
    // A row is withdrawn once even when another caller moves it first (compare-and-set).
    const raced = await vault.request({ requester: ALICE, tokens, purpose: 'HRESCH', reason: 'r' });
    const racing = await LinkageVault.open({ ...base, store: wrapStoreOnce(store, raced.id) });
    expect((await racing.withdraw({ requestId: raced.id, actor: ALICE })).status).toBe('withdrawn');
    expect(audit.events.filter((e) => e.resources?.[0]?.id === raced.id).at(-1)?.details?.from).toBe('approved');
  });

  it('a reveal is purpose-bound: another purpose than the approved one reveals nothing', async () => {
    const id = await approvedRequest();
    await expect(vault.reveal({ requestId: id, actor: ALICE, purpose: 'TREAT' })).rejects.toMatchObject({ code: 'approval-denied' });
    expect((await vault.get(id))?.status).toBe('approved');
    expect((await vault.reveal({ requestId: id, actor: ALICE, purpose: 'HRESCH' })).size).toBe(SEEDED.length);
  });

  it('openExisting finds the vault by its stored key, and nothing where none was created', async () => {
    const existing = await LinkageVault.openExisting({ store, provider, audit, clock });
    expect(existing?.keyId).toBe('linkage-key');
    expect(existing?.tokenize('name', SEEDED[0] ?? '')).toBe(tokens[0]);
    const empty = await openVaultDatabase({ kind: 'pglite' });
    try {
      expect(await LinkageVault.openExisting({ store: new SqlLinkageStore(empty), provider, audit, clock })).toBeUndefined();
    } finally {
      await empty.close();
    }
  });
});

/** A store where someone approves `id` just before the caller's first transition of it (a race). */
function wrapStoreOnce(s: LinkageStore, id: string): LinkageStore {
  let raced = false;
  return new Proxy(s, {
    get(target, property) {
      if (property === 'transition') {
        return async (...args: Parameters<LinkageStore['transition']>): Promise<boolean> => {
          if (!raced && args[0] === id) {
            raced = true;
            await target.transition(id, 'open', 'approved', BOB, clock.nowMs());
          }
          return target.transition(...args);
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** A fault is armed after the vault opened (so it hits the reveal, not the token-key unwrap). */
const armed = { on: false };
type Fault = (o: LinkageVaultOptions) => LinkageVaultOptions;

function wrapStore(s: LinkageStore, patch: Partial<LinkageStore>): LinkageStore {
  return new Proxy(s, {
    get(target, property) {
      const own = patch[property as keyof LinkageStore];
      if (armed.on && own !== undefined) return own;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function wrapProvider(p: KeyProvider, unwrap: KeyProvider['unwrapDataKey']): KeyProvider {
  return {
    id: p.id,
    generateDataKey: (k) => p.generateDataKey(k),
    wrapDataKey: (k, d) => p.wrapDataKey(k, d),
    rewrapDataKey: (w) => p.rewrapDataKey(w),
    describeKey: (k) => p.describeKey(k),
    unwrapDataKey: (w) => (armed.on ? unwrap(w) : p.unwrapDataKey(w)),
  };
}

// A fault whose message carries a seeded value: the vault must not pass it on.
const leaky = (): Error => new Error(`driver failed near ${SEEDED[0] ?? ''}`);

const FAULTS: Record<string, Fault> = {
  'getRequest throws': (o) => ({ ...o, store: wrapStore(o.store, { getRequest: () => Promise.reject(leaky()) }) }),
  'transition throws': (o) => ({ ...o, store: wrapStore(o.store, { transition: () => Promise.reject(leaky()) }) }),
  'transition loses the race': (o) => ({ ...o, store: wrapStore(o.store, { transition: () => Promise.resolve(false) }) }),
  'getEntry throws': (o) => ({ ...o, store: wrapStore(o.store, { getEntry: () => Promise.reject(leaky()) }) }),
  'getEntry finds nothing': (o) => ({ ...o, store: wrapStore(o.store, { getEntry: () => Promise.resolve(undefined) }) }),
  'getEntry returns another token entry': (o) => ({ ...o, store: wrapStore(o.store, { getEntry: () => store.getEntry(tokens[0] ?? '') }) }),
  'getEntry returns flipped bytes': (o) => ({
    ...o,
    store: wrapStore(o.store, {
      getEntry: async (t) => {
        const bytes = Buffer.from((await store.getEntry(t)) ?? []);
        const i = bytes.length - 1 - ((randomBytes(1)[0] ?? 0) % 40);
        bytes[i] = (bytes[i] ?? 0) ^ 1;
        return bytes;
      },
    }),
  }),
  'getEntry returns a truncated entry': (o) => ({ ...o, store: wrapStore(o.store, { getEntry: async (t) => (await store.getEntry(t))?.subarray(0, 100) }) }),
  'provider cannot unwrap': (o) => ({ ...o, provider: wrapProvider(o.provider, () => Promise.reject(leaky())) }),
  'provider returns a wrong key': (o) => ({ ...o, provider: wrapProvider(o.provider, () => Promise.resolve(randomBytes(32))) }),
  'ledger refuses the reveal event': (o) => ({
    ...o,
    audit: { record: (e) => (armed.on && e.action === 'linkage.reveal' && e.outcome === 'success' ? Promise.reject(leaky()) : o.audit.record(e)) } satisfies AuditRecorder,
  }),
};

describe('LinkageVault fails closed', () => {
  for (const [name, fault] of Object.entries(FAULTS)) {
    it(`${name}: nothing is revealed and no output carries a value`, async () => {
      const requestId = await approvedRequest();
      armed.on = false;
      const v = await LinkageVault.open(fault(base));
      armed.on = true;
      try {
        const error = await v.reveal({ requestId, actor: ALICE }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toMatchObject({ name: 'VaultError' });
        expect(['reveal-failed', 'approval-denied', 'not-found']).toContain((error as { code: string }).code);
        const text = channels(error);
        for (const seed of SEEDED) expect(text).not.toContain(seed);
      } finally {
        armed.on = false;
      }
    });
  }

  it('without faults the same steps do reveal (the fault tests can fail)', async () => {
    const requestId = await approvedRequest();
    const v = await LinkageVault.open(FAULTS['getEntry throws']?.(base) ?? base);
    expect((await v.reveal({ requestId, actor: ALICE })).size).toBe(SEEDED.length);
  });
});
