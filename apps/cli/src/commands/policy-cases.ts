import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isPurposeOfUse } from '@phiguard/audit';
import {
  ACTIONS, DEFAULT_POLICY_DIR, isAction, isRole, policiesFromText, readPolicyFolder, RESOURCE_TYPES,
  type PolicyRequest, type PolicySource, type ResourceType,
} from '@phiguard/access';

// The policy files and test cases of `phiguard policy`, local and remote. Apart from policy.ts so
// that the Cedar engine (WebAssembly) loads only when a policy command runs.

/** Policies to check: a folder (schema.cedarschema + *.cedar) or one .cedar file with the shipped schema. */
export function loadSource(target: string, schemaFile: string | undefined): PolicySource {
  if (statSync(target).isDirectory()) return readPolicyFolder(target);
  const schema = readFileSync(schemaFile ?? path.join(DEFAULT_POLICY_DIR, 'schema.cedarschema'), 'utf8');
  return { schema, policies: policiesFromText(readFileSync(target, 'utf8'), path.basename(target)) };
}

interface TestCase {
  readonly name: string;
  readonly request: PolicyRequest;
  readonly expect: 'allow' | 'deny';
}

/** Reads a JSON test file: `{ policies?: DIR, cases: [{ name, principal, action, resource, context, expect }] }`. */
export function readCases(file: string): { readonly policies: string | undefined; readonly cases: TestCase[] } {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { policies?: unknown; cases?: unknown };
  if (!Array.isArray(doc.cases)) throw new TypeError(`${file}: needs a cases list`);
  const cases = (doc.cases as Record<string, unknown>[]).map((c, i): TestCase => {
    const where = `${file}: case ${String(i + 1)}`;
    const principal = (c.principal ?? {}) as { kind?: unknown; id?: unknown; roles?: unknown; custodianOf?: unknown };
    const roles = Array.isArray(principal.roles) ? principal.roles : [];
    if (!roles.every(isRole)) throw new TypeError(`${where}: unknown role`);
    if (!isAction(c.action)) throw new TypeError(`${where}: unknown action (one of ${ACTIONS.join(', ')})`);
    const resource = (c.resource ?? {}) as { type?: unknown; id?: unknown; sealedBy?: unknown };
    if (typeof resource.type !== 'string' || !(resource.type in RESOURCE_TYPES)) throw new TypeError(`${where}: unknown resource type`);
    const context = (c.context ?? {}) as Record<string, unknown>;
    if (context.purpose !== undefined && !isPurposeOfUse(context.purpose)) throw new TypeError(`${where}: unknown purpose of use`);
    if (c.expect !== 'allow' && c.expect !== 'deny') throw new TypeError(`${where}: expect must be allow or deny`);
    const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
    return {
      name: typeof c.name === 'string' ? c.name : `case ${String(i + 1)}`,
      expect: c.expect,
      request: {
        principal: { kind: principal.kind === 'service' ? 'service' : 'user', id: str(principal.id) ?? 'usr_0000000000000000000000000a', roles, custodianOf: Array.isArray(principal.custodianOf) ? principal.custodianOf.map(String) : [] },
        action: c.action,
        resource: { type: resource.type as ResourceType, id: str(resource.id) ?? 'res_1', sealedBy: Array.isArray(resource.sealedBy) ? resource.sealedBy.map(String) : [] },
        purpose: context.purpose,
        mfaAgeSeconds: typeof context.mfaAgeSeconds === 'number' ? context.mfaAgeSeconds : 60,
        grantedActions: Array.isArray(context.grantedActions) ? context.grantedActions.map(String) : [],
        breakGlass: context.breakGlass === true,
        reason: str(context.reason),
        scopes: Array.isArray(context.scopes) ? context.scopes.map(String) : undefined,
        beneficiary: str(context.beneficiary),
        approvedBy: str(context.approvedBy),
      },
    };
  });
  return { policies: typeof doc.policies === 'string' ? path.resolve(path.dirname(file), doc.policies) : undefined, cases };
}

/** Prints one pass/FAIL line per case and the total, and sets exit code 1 on a failure (same output local and remote). */
export function reportCases(out: NodeJS.WritableStream, cases: readonly TestCase[], decide: (c: TestCase, index: number) => { readonly allowed: boolean; readonly policyIds: readonly string[] }): void {
  let failed = 0;
  for (const [i, c] of cases.entries()) {
    const d = decide(c, i);
    const got = d.allowed ? 'allow' : 'deny';
    const ok = got === c.expect;
    if (!ok) failed++;
    out.write(`${ok ? 'pass' : 'FAIL'}  ${c.name}: ${got}${d.policyIds.length > 0 ? ` (${d.policyIds.join(', ')})` : ' (default deny)'}\n`);
  }
  out.write(`${String(cases.length - failed)}/${String(cases.length)} cases pass\n`);
  if (failed > 0) process.exitCode = 1;
}
