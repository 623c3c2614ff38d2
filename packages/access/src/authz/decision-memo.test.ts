// The memoized PolicyEngine answers exactly like a fresh Cedar evaluation, for random requests
// (every role, action, purpose, grant, break-glass and MFA age around the policies' thresholds).
import fc from 'fast-check';
import { PURPOSES_OF_USE } from '@phiguard/audit';
import { describe, expect, it } from 'vitest';
import { ROLES } from '../roles.ts';
import { ACTION_RESOURCE, ACTIONS } from './actions.ts';
import { mfaAgeSignature, mfaAgeThresholds } from './mfa-age-thresholds.ts';
import { PolicyEngine, readPolicyFolder, type PolicyRequest } from './policy-engine.ts';

const memo = new PolicyEngine();
const fresh = new PolicyEngine(readPolicyFolder(), { memoize: false });
const ids = ['usr_0000000000000000000000000a', 'usr_0000000000000000000000000b'];

const request: fc.Arbitrary<PolicyRequest> = fc.record({
  kind: fc.constantFrom('user' as const, 'service' as const),
  who: fc.constantFrom(...ids),
  roles: fc.subarray([...ROLES], { maxLength: 2 }),
  custodianOf: fc.subarray(['key_0000000000000000000000000d', 'key_0000000000000000000000000e']),
  action: fc.constantFrom(...ACTIONS),
  sealedBy: fc.subarray(['key_0000000000000000000000000d']),
  purpose: fc.option(fc.constantFrom(...PURPOSES_OF_USE), { nil: undefined }),
  mfaAgeSeconds: fc.option(fc.oneof(fc.integer({ min: 290, max: 310 }), fc.double({ min: 0, max: 1e6, noNaN: true })), { nil: undefined }),
  grantedActions: fc.subarray(['dataset.read', 'dataset.write']),
  breakGlass: fc.boolean(),
  reason: fc.option(fc.constantFrom('ETREAT', 'BTG', 'other'), { nil: undefined }),
  scopes: fc.option(fc.subarray([...ACTIONS], { maxLength: 3 }), { nil: undefined }),
  beneficiary: fc.option(fc.constantFrom(...ids), { nil: undefined }),
  approvedBy: fc.option(fc.constantFrom(...ids), { nil: undefined }),
}).map((r) => ({
  principal: { kind: r.kind, id: r.who, roles: r.roles, custodianOf: r.custodianOf },
  action: r.action, resource: { type: ACTION_RESOURCE[r.action], id: 'res_0000000000000000000000000c', sealedBy: r.sealedBy },
  purpose: r.purpose, mfaAgeSeconds: r.mfaAgeSeconds, grantedActions: r.grantedActions, breakGlass: r.breakGlass, reason: r.reason, scopes: r.scopes,
  beneficiary: r.beneficiary, approvedBy: r.approvedBy,
}));

describe('decision memo', () => {
  it('answers like a fresh evaluation, asked twice', () => {
    fc.assert(fc.property(request, (r) => {
      const want = fresh.evaluate(r);
      expect(memo.evaluate(r)).toEqual(want);
      expect(memo.evaluate(r)).toEqual(want);
    }), { numRuns: 400 });
  });

  it('finds the MFA-age thresholds of the shipped policies, and gives up on anything but a plain comparison', () => {
    expect(mfaAgeThresholds(Object.values(readPolicyFolder().policies))).toEqual([300]);
    expect(mfaAgeThresholds(['permit (principal, action, resource) when { 60 > context.mfaAgeSeconds };'])).toEqual([60]);
    expect(mfaAgeThresholds(['permit (principal, action, resource) when { context.mfaAgeSeconds <= 300 + 1 };'])).toBeUndefined();
    expect(mfaAgeThresholds(['permit (principal, action, resource) when { context.mfaAgeSeconds + 1 <= 300 };'])).toBeUndefined();
    expect(mfaAgeThresholds(['permit (principal, action, resource) when { 1 + 300 >= context.mfaAgeSeconds };'])).toBeUndefined();
    expect(mfaAgeSignature(299, [300])).not.toBe(mfaAgeSignature(300, [300]));
    expect(mfaAgeSignature(301, [300])).not.toBe(mfaAgeSignature(300, [300]));
    expect(mfaAgeSignature(0, [300])).toBe(mfaAgeSignature(299, [300]));
  });
});
