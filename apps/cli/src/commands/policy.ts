import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { isPurposeOfUse } from '@phiguard/audit';
import {
  ACTIONS, DEFAULT_POLICY_DIR, isAction, isRole, PolicyEngine, policiesFromText, readPolicyFolder, RESOURCE_TYPES, validatePolicies,
  type PolicyRequest, type PolicySource, type ResourceType,
} from '@phiguard/access';
import type { CliContext } from '../context.ts';
import { lazyRemote, localOrRemote } from '../remote/remote-mode.ts';

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

export function registerPolicy(program: Command, ctx: CliContext): void {
  const remote = lazyRemote(async () => (await import('../remote/remote-policy.ts')).remotePolicy(ctx));
  const policy = program.command('policy').description('Check Cedar authorization policies (validate against the schema, run test cases)');
  policy
    .command('validate')
    .argument('<file>', 'a .cedar file (checked with the shipped schema) or a folder with schema.cedarschema and *.cedar files')
    .option('--schema <file>', 'a Cedar schema to validate a single file against')
    .description('Parse the policies and validate them strictly against the schema')
    .addHelpText('after', '\nExamples:\n  $ phiguard policy validate packages/access/policies\n  $ phiguard policy validate my-extra.cedar')
    .action(localOrRemote(ctx, (file: string, options: { schema?: string }) => {
      const source = loadSource(file, options.schema);
      const problems = validatePolicies(source);
      for (const p of problems) ctx.stderr.write(`invalid: ${p}\n`);
      if (problems.length > 0) {
        process.exitCode = 1;
        return;
      }
      ctx.stdout.write(`ok: ${String(Object.keys(source.policies).length)} policies validate against the schema\n`);
    }, remote.validate));
  policy
    .command('test')
    .argument('<file>', 'a JSON file of test cases')
    .option('--policies <dir>', 'policy folder to test (default: the file\'s `policies`, else the shipped policies)')
    .description('Run authorization test cases (principal, action, resource, context, expect allow|deny)')
    .addHelpText('after', `
Example file (cases.json):
  { "cases": [
    { "name": "annotators cannot read without a grant", "principal": { "roles": ["annotator"] },
      "action": "dataset.read", "resource": { "type": "Dataset", "id": "ds_1" },
      "context": { "purpose": "HRESCH" }, "expect": "deny" } ] }

Examples:
  $ phiguard policy test cases.json
  $ phiguard policy test cases.json --policies ./my-policies`)
    .action(localOrRemote(ctx, (file: string, options: { policies?: string }) => {
      const { policies, cases } = readCases(file);
      const engine = new PolicyEngine(readPolicyFolder(options.policies ?? policies ?? DEFAULT_POLICY_DIR));
      reportCases(ctx.stdout, cases, (c) => engine.evaluate(c.request));
    }, remote.test));
}
