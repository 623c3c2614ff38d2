import path from 'node:path';
import { readPolicyFolder, type PolicySource } from '@phiguard/access';
import type { CliContext } from '../context.ts';
import { loadSource, readCases, reportCases } from '../commands/policy-cases.ts';
import type { Remote } from './remote-mode.ts';

/**
 * `phiguard policy validate|test FILE --server URL`: the files are read here and posted; the
 * server validates them against its schema (or the posted one) and runs the cases against the
 * posted policies or, without `--policies`/`policies`, against its own live policies. Same output
 * as the local commands.
 */
export function remotePolicy(ctx: CliContext): {
  validate: (r: Remote, file: string, o: { schema?: string }) => Promise<void>;
  test: (r: Remote, file: string, o: { policies?: string }) => Promise<void>;
} {
  return {
    async validate(r, file, o) {
      const source: PolicySource = loadSource(path.resolve(ctx.cwd, file), o.schema === undefined ? undefined : path.resolve(ctx.cwd, o.schema));
      const answer = await r.client.json<{ policies: number; problems: string[] }>('POST', '/v1/policy/validate', { body: { source } });
      for (const p of answer.problems) ctx.stderr.write(`invalid: ${p}\n`);
      if (answer.problems.length > 0) {
        process.exitCode = 1;
        return;
      }
      ctx.stdout.write(`ok: ${String(answer.policies)} policies validate against the schema\n`);
    },

    async test(r, file, o) {
      const { policies, cases } = readCases(path.resolve(ctx.cwd, file));
      const folder = o.policies === undefined ? policies : path.resolve(ctx.cwd, o.policies);
      const decisions = await r.client.json<{ allowed: boolean; policyIds: string[] }[]>('POST', '/v1/policy/test', {
        body: { ...(folder === undefined ? {} : { source: readPolicyFolder(folder) }), requests: cases.map((c) => c.request) },
      });
      reportCases(ctx.stdout, cases, (_c, i) => decisions[i] ?? { allowed: false, policyIds: [] });
    },
  };
}
