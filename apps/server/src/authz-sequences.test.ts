// fast-check over random request sequences (issue 7): no principal ever reads a dataset that the
// role matrix (plus its active grants) denies it, and every allowed read is answered.
import fc from 'fast-check';
import { PolicyEngine, typicalRequest, type Role } from '@phiguard/access';
import { PURPOSES_OF_USE, type PurposeOfUse } from '@phiguard/audit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { call, DATASETS, loginAs, PASSWORD, startHarness, type Harness } from './test-harness.ts';

const ROLE_SETS: Role[][] = [['annotator'], ['ml-engineer'], ['auditor'], ['key-custodian'], ['admin'], ['ml-engineer', 'annotator']];
const DATASET_IDS = Object.keys(DATASETS);
let h: Harness;
let steward: { id: string; token: string };
const users: { id: string; roles: Role[]; token: string }[] = [];

beforeAll(async () => {
  h = await startHarness();
  const secrets = new Map<string, string>();
  const create = async (username: string, roles: Role[]): Promise<{ id: string; token: string }> => {
    const user = await h.access.authenticator.createUser({ username, password: PASSWORD, roles }, undefined);
    return { id: user.id, token: (await loginAs(h, username, secrets)).token };
  };
  steward = await create('steward', ['data-steward']);
  for (const [i, roles] of ROLE_SETS.entries()) users.push({ ...(await create(`user-${String(i)}`, roles)), roles });
});
afterAll(() => h.close());

const engine = new PolicyEngine();
const roleAllows = (roles: Role[], purpose: PurposeOfUse): boolean =>
  roles.some((r) => engine.evaluate({ ...typicalRequest(r, 'dataset.read'), purpose }).allowed);

type Op =
  | { readonly kind: 'read'; readonly user: number; readonly dataset: number; readonly purpose: PurposeOfUse }
  | { readonly kind: 'grant'; readonly user: number; readonly dataset: number; readonly purpose: PurposeOfUse }
  | { readonly kind: 'revoke'; readonly which: number };

const purpose = fc.constantFrom(...PURPOSES_OF_USE.filter((p) => p !== 'BTG'));
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('read' as const), user: fc.nat(ROLE_SETS.length - 1), dataset: fc.nat(DATASET_IDS.length - 1), purpose }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('grant' as const), user: fc.nat(ROLE_SETS.length - 1), dataset: fc.nat(DATASET_IDS.length - 1), purpose }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('revoke' as const), which: fc.nat(20) }) },
);

it('no principal reads a dataset that the matrix and its active grants deny it', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
      // Each run starts from no active grant.
      for (const g of await h.access.store.listGrants({})) if (g.revokedMs === undefined) await h.access.store.revokeGrant(g.id, h.clock.nowMs());
      const grants: { id: string; user: number; dataset: number; purpose: PurposeOfUse; active: boolean }[] = [];
      for (const o of ops) {
        if (o.kind === 'grant') {
          const user = users[o.user];
          const res = await call(h, 'POST', '/v1/grants', { token: steward.token, body: { grantee: user?.id, datasetId: DATASET_IDS[o.dataset], action: 'dataset.read', purpose: o.purpose, expiresAt: new Date(h.clock.nowMs() + 3600_000).toISOString() } });
          expect(res.status).toBe(201);
          grants.push({ id: (res.json() as { id: string }).id, user: o.user, dataset: o.dataset, purpose: o.purpose, active: true });
        } else if (o.kind === 'revoke') {
          const g = grants[o.which % Math.max(1, grants.length)];
          if (g === undefined) continue;
          const res = await call(h, 'DELETE', `/v1/grants/${g.id}`, { token: steward.token });
          expect(res.status).toBe(204);
          g.active = false;
        } else {
          const user = users[o.user];
          if (user === undefined) continue;
          const res = await call(h, 'GET', `/v1/datasets/${DATASET_IDS[o.dataset] ?? ''}`, { token: user.token, headers: { 'x-purpose-of-use': o.purpose } });
          const granted = grants.some((g) => g.active && g.user === o.user && g.dataset === o.dataset && g.purpose === o.purpose);
          const expected = roleAllows(user.roles, o.purpose) || granted;
          expect({ status: res.status, ops }).toEqual({ status: expected ? 200 : 403, ops });
        }
      }
    }),
    { numRuns: 25 },
  );
});
