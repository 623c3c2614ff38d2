import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../identity/principal.ts';
import { accessFixture, type AccessFixture } from '../identity/test-fixtures.ts';
import { Authorizer } from './authorizer.ts';
import { PolicyEngine } from './policy-engine.ts';

let f: AccessFixture;
let authz: Authorizer;
const steward: Principal = { kind: 'user', id: 'usr_01j0000000000000000000000s', roles: ['data-steward'], custodianOf: [] };
const annotator: Principal = { kind: 'user', id: 'usr_01j0000000000000000000000a', roles: ['annotator'], custodianOf: [] };
const officer: Principal = { kind: 'user', id: 'usr_01j0000000000000000000000r', roles: ['security-officer'], custodianOf: [] };
const dataset = { type: 'Dataset' as const, id: 'ds_01j0000000000000000000000d' };

beforeAll(async () => {
  f = await accessFixture();
  authz = new Authorizer(new PolicyEngine(), f.store, f.clock, f.audit);
});
afterAll(() => f.store.close());

describe('Authorizer', () => {
  it('records every decision, allow and deny, with the deciding policies', async () => {
    const before = f.audit.withAction('authz.decide').length;
    await authz.decide({ principal: steward, action: 'dataset.read', resource: dataset, purpose: 'HRESCH', requestId: 'req-1' });
    await authz.decide({ principal: annotator, action: 'dataset.read', resource: dataset, purpose: 'HRESCH' });
    await authz.decide({ principal: steward, action: 'dataset.read', resource: dataset });
    const events = f.audit.withAction('authz.decide').slice(before);
    expect(events.map((e) => [e.outcome, e.reason, e.details?.policy1])).toEqual([
      ['success', undefined, 'data-steward-datasets'],
      ['denied', 'default-deny', undefined],
      ['denied', 'policy-denied', 'purpose-required'],
    ]);
    expect(events[0]).toMatchObject({ requestId: 'req-1', purpose: 'HRESCH', resources: [{ type: 'dataset', id: dataset.id }] });
  });

  it('applies a time-bound, purpose-bound grant until it expires or is revoked', async () => {
    const read = { principal: annotator, action: 'dataset.read' as const, resource: dataset, purpose: 'HRESCH' as const };
    expect((await authz.decide(read)).allowed).toBe(false);
    await expect(authz.grant({ principal: annotator, action: 'grant.create', resource: dataset, purpose: 'HRESCH', grantee: annotator.id, grantedAction: 'dataset.read', expiresMs: f.clock.nowMs() + 3600_000 })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(authz.grant({ principal: steward, action: 'grant.create', resource: dataset, purpose: 'HRESCH', grantee: steward.id, grantedAction: 'dataset.read', expiresMs: f.clock.nowMs() + 3600_000 })).rejects.toMatchObject({ code: 'forbidden' });
    const grant = await authz.grant({ principal: steward, action: 'grant.create', resource: dataset, purpose: 'HRESCH', grantee: annotator.id, grantedAction: 'dataset.read', expiresMs: f.clock.nowMs() + 8 * 3600_000 });
    expect((await authz.decide(read)).policyIds).toEqual(['grant-dataset-read']);
    expect((await authz.decide({ ...read, purpose: 'HPAYMT' })).allowed).toBe(false);
    expect((await authz.decide({ ...read, resource: { type: 'Dataset', id: 'ds_01j0000000000000000000000e' } })).allowed).toBe(false);
    f.clock.advance(8 * 3600_000);
    expect((await authz.decide(read)).allowed).toBe(false);
    const second = await authz.grant({ principal: steward, action: 'grant.create', resource: dataset, purpose: 'HRESCH', grantee: annotator.id, grantedAction: 'dataset.read', expiresMs: f.clock.nowMs() + 3600_000 });
    expect((await authz.decide(read)).allowed).toBe(true);
    expect(await authz.revokeGrant({ principal: steward, action: 'grant.revoke', resource: { type: 'Grant', id: second.id }, grantId: second.id })).toBe(true);
    expect((await authz.decide(read)).allowed).toBe(false);
    expect((await f.store.listGrants({ principalId: annotator.id })).map((g) => g.id)).toEqual([grant.id, second.id]);
  });

  it('runs break-glass end to end: refused without fresh MFA, then a high-severity event, access, review by someone else', async () => {
    const start = { principal: annotator, action: 'breakglass.start' as const, resource: dataset, reason: 'ETREAT' };
    await expect(authz.breakGlass({ ...start, mfaMs: f.clock.nowMs() - 10 * 60_000 })).rejects.toMatchObject({ code: 'forbidden' });
    const episode = await authz.breakGlass({ ...start, mfaMs: f.clock.nowMs() - 30_000 });
    const alert = f.audit.withAction('breakglass.start').at(-1);
    expect(alert).toMatchObject({ outcome: 'success', purpose: 'BTG', reason: 'etreat', details: { severity: 'high', alert: true } });
    const read = { principal: annotator, action: 'dataset.read' as const, resource: dataset, purpose: 'BTG' as const };
    expect(await authz.decide(read)).toMatchObject({ allowed: true, policyIds: ['break-glass-read'] });
    expect((await f.store.listBreakGlass({ unreviewedOnly: true })).map((b) => b.id)).toEqual([episode.id]);
    await expect(authz.reviewBreakGlass({ principal: { ...annotator, roles: ['security-officer'] }, action: 'breakglass.review', resource: dataset, episodeId: episode.id })).rejects.toMatchObject({ code: 'forbidden' });
    expect(await authz.reviewBreakGlass({ principal: officer, action: 'breakglass.review', resource: dataset, episodeId: episode.id })).toBe(true);
    expect(await f.store.listBreakGlass({ unreviewedOnly: true })).toEqual([]);
    f.clock.advance(30 * 60_000);
    expect((await authz.decide(read)).allowed).toBe(false);
  });
});
