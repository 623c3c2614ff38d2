import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { lazyRemote, localOrRemote } from '../remote/remote-mode.ts';

export function registerPolicy(program: Command, ctx: CliContext): void {
  const remote = lazyRemote(async () => (await import('../remote/remote-policy.ts')).remotePolicy(ctx));
  const policy = program.command('policy').description('Check Cedar authorization policies (validate against the schema, run test cases)');
  policy
    .command('validate')
    .argument('<file>', 'a .cedar file (checked with the shipped schema) or a folder with schema.cedarschema and *.cedar files')
    .option('--schema <file>', 'a Cedar schema to validate a single file against')
    .description('Parse the policies and validate them strictly against the schema')
    .addHelpText('after', '\nExamples:\n  $ phiguard policy validate packages/access/policies\n  $ phiguard policy validate my-extra.cedar')
    .action(localOrRemote(ctx, async (file: string, options: { schema?: string }) => {
      const [{ validatePolicies }, { loadSource }] = await Promise.all([import('@phiguard/access'), import('./policy-cases.ts')]);
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
    .action(localOrRemote(ctx, async (file: string, options: { policies?: string }) => {
      const [{ DEFAULT_POLICY_DIR, PolicyEngine, readPolicyFolder }, { readCases, reportCases }] = await Promise.all([import('@phiguard/access'), import('./policy-cases.ts')]);
      const { policies, cases } = readCases(file);
      const engine = new PolicyEngine(readPolicyFolder(options.policies ?? policies ?? DEFAULT_POLICY_DIR));
      reportCases(ctx.stdout, cases, (c) => engine.evaluate(c.request));
    }, remote.test));
}
