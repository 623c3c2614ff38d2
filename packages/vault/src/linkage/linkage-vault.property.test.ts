import { ManualClock } from '@phiguard/core';
import { createMemoryKeyProvider } from '@phiguard/keys';
import { MemoryAuditRecorder } from '@phiguard/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LinkageVault } from './linkage-vault.ts';
import { MemoryLinkageStore } from './memory-linkage-store.ts';

// Issue 7: "re-identification needs two different people; nobody approves their own request".
// Over random sequences of requests, decisions, withdrawals, reveals and time, every value that
// comes out was asked for by its revealer, approved by someone else before the request lapsed,
// not withdrawn, within the TTL, and only once. What list/show say (`stateOf`) agrees: a lapsed
// open request is `expired`, an approval past its reveal window `approval-expired`.
const PEOPLE = ['usr_01jxk3q8y9a2b3c4d5e6f7g8h9', 'usr_01jxk3q8y9a2b3c4d5e6f7g8ha', 'usr_01jxk3q8y9a2b3c4d5e6f7g8hb'];
const TTL = 3_600_000;
const OPEN_TTL = 2 * TTL;
type Step =
  | { kind: 'request'; who: number }
  | { kind: 'approve' | 'deny'; who: number; target: number }
  | { kind: 'reveal'; who: number; target: number; otherPurpose: boolean }
  | { kind: 'withdraw'; who: number; target: number }
  | { kind: 'wait'; ms: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('request' as const), who: fc.nat(2) }),
  fc.record({ kind: fc.constantFrom('approve' as const, 'deny' as const), who: fc.nat(2), target: fc.nat(9) }),
  fc.record({ kind: fc.constant('reveal' as const), who: fc.nat(2), target: fc.nat(9), otherPurpose: fc.boolean() }),
  fc.record({ kind: fc.constant('withdraw' as const), who: fc.nat(2), target: fc.nat(9) }),
  // Short waits (within an approval's TTL) and long ones (past an open request's lapse).
  fc.record({ kind: fc.constant('wait' as const), ms: fc.oneof(fc.integer({ min: 0, max: TTL }), fc.integer({ min: TTL, max: OPEN_TTL + 1 })) }),
);

describe('LinkageVault two-person rule (property)', () => {
  it('a value comes out only to its requester, after another person approved in time, not withdrawn, within the TTL, once', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 1));
    const { provider } = createMemoryKeyProvider(['linkage-key'], clock.nowMs());
    const vault = await LinkageVault.open({ store: new MemoryLinkageStore(), provider, keyId: 'linkage-key', audit: new MemoryAuditRecorder(), clock, requestTtlMs: TTL, openTtlMs: OPEN_TTL });
    const token = vault.tokenize('mrn', 'MRN-0001');
    await vault.flush();
    await fc.assert(
      // size 'max': sequences up to 30 steps, long enough to approve, wait past the window and act again.
      fc.asyncProperty(fc.array(step, { maxLength: 30, size: 'max' }), async (steps) => {
        // What the model says happened to each request of this run.
        const model: { id: string; requester: string; createdMs: number; status: 'open' | 'approved' | 'denied' | 'revealed' | 'withdrawn'; approver?: string; approvedMs?: number }[] = [];
        for (const s of steps) {
          if (s.kind === 'wait') {
            clock.advance(s.ms);
            continue;
          }
          const who = PEOPLE[s.who] ?? '';
          if (s.kind === 'request') {
            model.push({ id: (await vault.request({ requester: who, tokens: [token], purpose: 'HRESCH', reason: 'r' })).id, requester: who, createdMs: clock.nowMs(), status: 'open' });
            continue;
          }
          const m = model[s.target % Math.max(1, model.length)];
          if (m === undefined) continue;
          const lapsed = m.status === 'open' && clock.nowMs() - m.createdMs > OPEN_TTL;
          const windowPassed = m.status === 'approved' && clock.nowMs() - (m.approvedMs ?? 0) > TTL;
          const shown = await vault.get(m.id);
          expect(shown === undefined ? undefined : vault.stateOf(shown)).toBe(lapsed ? 'expired' : windowPassed ? 'approval-expired' : m.status);
          // The state lists agree with stateOf: the request is listed under exactly its state.
          const state = lapsed ? 'expired' : windowPassed ? 'approval-expired' : m.status;
          expect((await vault.list({ statuses: [state], limit: 1000 })).some((r) => r.id === m.id)).toBe(true);
          if (s.kind === 'withdraw') {
            const allowed = (m.status === 'open' || m.status === 'approved') && m.requester === who;
            const ok = await vault.withdraw({ requestId: m.id, actor: who }).then(() => true, () => false);
            expect(ok).toBe(allowed);
            if (ok) m.status = 'withdrawn';
            continue;
          }
          if (s.kind === 'reveal') {
            const allowed = m.status === 'approved' && !windowPassed && m.requester === who && !s.otherPurpose;
            const got = await vault.reveal({ requestId: m.id, actor: who, purpose: s.otherPurpose ? 'TREAT' : 'HRESCH' }).then((v) => v.get(token)?.value, () => undefined);
            expect(got).toBe(allowed ? 'MRN-0001' : undefined);
            if (allowed) m.status = 'revealed';
            if (got !== undefined) expect(m.approver).not.toBe(who);
            continue;
          }
          const allowed = m.status === 'open' && !lapsed && m.requester !== who;
          const ok = await (s.kind === 'approve' ? vault.approve({ requestId: m.id, approver: who }) : vault.deny({ requestId: m.id, approver: who })).then(() => true, () => false);
          expect(ok).toBe(allowed);
          if (ok) Object.assign(m, { status: s.kind === 'approve' ? 'approved' : 'denied', approver: who, approvedMs: clock.nowMs() });
        }
      }),
      { numRuns: 100 },
    );
  });
});
