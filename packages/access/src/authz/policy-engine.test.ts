import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { PURPOSES_OF_USE } from '@phiguard/audit';
import { describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../roles.ts';
import { accessMatrix, renderAccessDoc, typicalRequest } from './access-matrix.ts';
import { ACTIONS, type Action } from './actions.ts';
import { PolicyEngine, policiesFromText, readPolicyFolder, validatePolicies } from './policy-engine.ts';

const engine = new PolicyEngine();
const repoRoot = path.resolve(import.meta.dirname, '../../../..');

// The intended matrix, written by hand: the policies must produce exactly this (issue 7).
const EXPECTED: Record<Role, readonly Action[]> = {
  admin: ['job.read', 'job.cancel', 'user.read', 'user.manage', 'apikey.manage', 'breakglass.start'],
  'security-officer': ['reid.approve', 'audit.read', 'audit.verify', 'report.read', 'report.generate', 'user.read', 'grant.read', 'breakglass.start', 'breakglass.review'],
  'data-steward': ['dataset.read', 'dataset.write', 'dataset.reidentify', 'reid.request', 'reid.approve', 'key.use', 'report.read', 'grant.read', 'grant.create', 'grant.revoke', 'breakglass.start'],
  'ml-engineer': ['dataset.read', 'dataset.reidentify', 'reid.request', 'job.run', 'key.use', 'job.read', 'job.cancel', 'model.read', 'model.deploy', 'breakglass.start'],
  annotator: ['breakglass.start'],
  auditor: ['audit.read', 'audit.verify', 'report.read', 'breakglass.start'],
  'key-custodian': ['key.read', 'key.manage', 'breakglass.start'],
};

describe('PolicyEngine (Cedar)', () => {
  it('knows exactly the actions of the schema', () => {
    const json = cedar.schemaToJson(readPolicyFolder().schema);
    if (json.type !== 'success') throw new Error('schema does not parse');
    const declared = Object.keys(json.json.PHIGuard?.actions ?? {}).filter((a) => a !== 'data' && a !== 'approval');
    expect(declared.sort()).toEqual([...ACTIONS].sort());
  });

  it('produces the intended role × action matrix', () => {
    const matrix = accessMatrix(engine);
    for (const role of ROLES) {
      const allowed = ACTIONS.filter((a) => matrix[role][a].allowed);
      expect({ role, allowed }).toEqual({ role, allowed: ACTIONS.filter((a) => EXPECTED[role].includes(a)) });
    }
  });

  it('docs/access.md is up to date (regenerate: npx node packages/access/src/write-access-doc.ts)', () => {
    expect(readFileSync(path.resolve(repoRoot, 'docs/access.md'), 'utf8')).toBe(renderAccessDoc(engine));
  });

  it('denies by default: no role, an unknown role, a wrong resource type', () => {
    for (const action of ACTIONS.filter((a) => a !== 'breakglass.start')) {
      const d = engine.evaluate({ ...typicalRequest('admin', action), principal: { kind: 'user', id: 'usr_0000000000000000000000000a', roles: [], custodianOf: [] } });
      expect(d).toMatchObject({ allowed: false, policyIds: [] });
    }
    const wrongType = engine.evaluate({ ...typicalRequest('auditor', 'audit.read'), resource: { type: 'Dataset', id: 'x' } });
    expect(wrongType.allowed).toBe(false);
    expect(wrongType.errors.length).toBeGreaterThan(0);
  });

  it('forbid beats permit, and names the forbidding policy', () => {
    const steward = typicalRequest('data-steward', 'dataset.read');
    expect(engine.evaluate(steward)).toMatchObject({ allowed: true, policyIds: ['data-steward-datasets'] });
    expect(engine.evaluate({ ...steward, purpose: undefined })).toMatchObject({ allowed: false, policyIds: ['purpose-required'] });
    const { schema } = readPolicyFolder();
    const custom = new PolicyEngine({
      schema,
      policies: policiesFromText('@id("everything") permit (principal, action, resource);\n@id("no-keys") forbid (principal, action == PHIGuard::Action::"key.manage", resource);', 'inline'),
    });
    expect(custom.evaluate(typicalRequest('annotator', 'key.read'))).toMatchObject({ allowed: true, policyIds: ['everything'] });
    expect(custom.evaluate(typicalRequest('key-custodian', 'key.manage'))).toMatchObject({ allowed: false, policyIds: ['no-keys'] });
  });

  it('demands a research purpose of ml-engineers', () => {
    const base = typicalRequest('ml-engineer', 'dataset.read');
    expect(engine.evaluate({ ...base, purpose: 'CLINTRCH' }).allowed).toBe(true);
    expect(engine.evaluate({ ...base, purpose: 'HPAYMT' }).allowed).toBe(false);
  });

  it('enforces separation of duties', () => {
    const both = { kind: 'user' as const, id: 'usr_0000000000000000000000000a', roles: ['ml-engineer', 'key-custodian'] as Role[], custodianOf: ['key_0000000000000000000000000d'] };
    const run = typicalRequest('ml-engineer', 'job.run');
    expect(engine.evaluate({ ...run, principal: both })).toMatchObject({ allowed: false, policyIds: ['sod-custodian-no-jobs-on-own-keys'] });
    expect(engine.evaluate({ ...run, principal: both, resource: { type: 'Dataset', id: 'other', sealedBy: ['key_other'] } }).allowed).toBe(true);
    const reid = typicalRequest('data-steward', 'dataset.reidentify');
    expect(engine.evaluate({ ...reid, approvedBy: undefined })).toMatchObject({ allowed: false, policyIds: ['sod-reidentify-two-people'] });
    expect(engine.evaluate({ ...reid, approvedBy: reid.principal.id }).allowed).toBe(false);
    const approve = typicalRequest('security-officer', 'reid.approve');
    expect(engine.evaluate({ ...approve, beneficiary: approve.principal.id })).toMatchObject({ allowed: false, policyIds: ['sod-no-self-approval'] });
    const grant = typicalRequest('data-steward', 'grant.create');
    expect(engine.evaluate({ ...grant, beneficiary: grant.principal.id }).allowed).toBe(false);
  });

  it('allows break-glass only with a reason and a fresh second factor, and then reads', () => {
    const start = typicalRequest('annotator', 'breakglass.start');
    expect(engine.evaluate({ ...start, reason: undefined }).allowed).toBe(false);
    expect(engine.evaluate({ ...start, reason: 'HPAYMT' }).allowed).toBe(false);
    expect(engine.evaluate({ ...start, mfaAgeSeconds: 301 })).toMatchObject({ allowed: false, policyIds: ['break-glass-needs-reason-and-fresh-mfa'] });
    const read = typicalRequest('annotator', 'dataset.read');
    expect(engine.evaluate({ ...read, breakGlass: true, purpose: 'BTG' })).toMatchObject({ allowed: true, policyIds: ['break-glass-read'] });
    expect(engine.evaluate({ ...read, breakGlass: true, purpose: 'HRESCH' }).allowed).toBe(false);
    expect(engine.evaluate({ ...read, breakGlass: false, purpose: 'BTG' }).allowed).toBe(false);
  });

  it('applies grants and API key scopes', () => {
    const read = typicalRequest('annotator', 'dataset.read');
    expect(engine.evaluate({ ...read, grantedActions: ['dataset.read'] })).toMatchObject({ allowed: true, policyIds: ['grant-dataset-read'] });
    const svc = { kind: 'service' as const, id: 'svc_0000000000000000000000000e', roles: ['ml-engineer'] as Role[], custodianOf: [] };
    expect(engine.evaluate({ ...typicalRequest('ml-engineer', 'job.run'), principal: svc, scopes: ['job.run'] }).allowed).toBe(true);
    expect(engine.evaluate({ ...typicalRequest('ml-engineer', 'job.run'), principal: svc, scopes: ['job.read'] })).toMatchObject({ allowed: false, policyIds: ['credential-scope'] });
  });

  it('never allows more than the union of the matrix rows of the roles held (without grant or break-glass)', () => {
    const matrix = accessMatrix(engine);
    fc.assert(
      fc.property(
        fc.subarray([...ROLES]), fc.constantFrom(...ACTIONS), fc.option(fc.constantFrom(...PURPOSES_OF_USE), { nil: undefined }),
        fc.integer({ min: 0, max: 4000 }), fc.boolean(),
        (roles, action, purpose, mfaAgeSeconds, selfBeneficiary) => {
          const base = typicalRequest('admin', action);
          const principal = { ...base.principal, roles };
          const d = engine.evaluate({ ...base, principal, purpose, mfaAgeSeconds, ...(selfBeneficiary ? { beneficiary: principal.id } : {}) });
          if (d.allowed) expect(roles.some((r) => matrix[r][action].allowed) || action === 'breakglass.start').toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses policies that do not validate against the schema', () => {
    const { schema } = readPolicyFolder();
    const bad = { schema, policies: { 'typo': '@id("typo") permit (principal, action == PHIGuard::Action::"dataset.raed", resource);' } };
    expect(validatePolicies(bad).length).toBeGreaterThan(0);
    expect(() => new PolicyEngine(bad)).toThrow(expect.objectContaining({ code: 'policy-invalid' }) as Error);
    expect(() => policiesFromText('permit (principal, action, resource);', 'x.cedar')).toThrow(expect.objectContaining({ code: 'policy-invalid' }) as Error);
  });
});
