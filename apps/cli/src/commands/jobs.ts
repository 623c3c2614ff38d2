import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import type { ApiAnswer, RemoteTarget } from '../remote/api-client.ts';
import { loadCliSession } from '../remote/cli-session.ts';

/** A call to the server of the last `phiguard login`, with a fresh access token; `undefined` after printing why not. */
export async function callServer(program: Command, ctx: CliContext, method: string, route: string, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<ApiAnswer | undefined> {
  const config = ctx.config(program.opts<{ config?: string }>().config);
  const session = loadCliSession(config.home);
  if (session === undefined) {
    ctx.stderr.write('not logged in: run `phiguard login --server URL` first\n');
    process.exitCode = 1;
    return undefined;
  }
  // The HTTPS client (and the `@phiguard/server` helpers it uses) loads only when a call is made.
  const { apiCall, describeProblem, remoteTarget } = await import('../remote/api-client.ts');
  const target = remoteTarget(session.server, session.caFile, config.home);
  const token = await apiCall(target, 'POST', '/v1/auth/token', { bearer: session.sessionToken });
  if (token.status !== 200) {
    ctx.stderr.write(`session refused: ${describeProblem(token)}; run \`phiguard login\` again\n`);
    process.exitCode = 1;
    return undefined;
  }
  const bearer = (token.body as { accessToken: string }).accessToken;
  const answer = options.headers === undefined
    ? await apiCall(target, method, route, { bearer, ...(options.body === undefined ? {} : { body: options.body }) })
    : await apiCallWithHeaders(target, method, route, bearer, options.body, options.headers);
  if (answer.status >= 300) {
    ctx.stderr.write(`${method} ${route.split('/').slice(0, 3).join('/')} refused: ${describeProblem(answer)}\n`);
    process.exitCode = 1;
    return undefined;
  }
  return answer;
}

// apiCall has no extra headers; the purpose of use travels in one (HL7 v3 PurposeOfUse).
async function apiCallWithHeaders(target: RemoteTarget, method: string, route: string, bearer: string, body: unknown, headers: Record<string, string>): Promise<ApiAnswer> {
  const { request } = await import('node:https');
  const url = new URL(route, `${target.server}/`);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(url, { method, minVersion: 'TLSv1.3', ...(target.ca === undefined ? {} : { ca: target.ca }), headers: { accept: 'application/json', authorization: `Bearer ${bearer}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        let parsed: unknown = text;
        try {
          parsed = text === '' ? undefined : JSON.parse(text);
        } catch {
          // keep the text
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

interface JobView {
  id: string;
  state: string;
  attempts: number;
  maxAttempts: number;
  node: string | null;
  reason: string | null;
  result: { output?: { dataset: string; version: number } } | null;
}

function printJob(ctx: CliContext, job: JobView): void {
  const out = job.result?.output;
  ctx.stdout.write(`${job.id}  ${job.state}  attempt ${String(job.attempts)}/${String(job.maxAttempts)}${job.node === null ? '' : `  node ${job.node}`}${job.reason === null ? '' : `  reason ${job.reason}`}${out === undefined ? '' : `  output ${out.dataset} v${String(out.version)}`}\n`);
}

/** `phiguard jobs submit|status|logs|cancel` against the server of the last `phiguard login`. */
export function registerJobs(program: Command, ctx: CliContext): void {
  const jobs = program.command('jobs').description('Run work on attested GPU nodes: submit, watch, read logs, cancel')
    .addHelpText('after', '\nExamples:\n  $ phiguard jobs submit job.json --purpose HRESCH\n  $ phiguard jobs status job_01j…\n  $ phiguard jobs logs job_01j…');
  jobs.command('submit <file>').description('Submit a run spec (JSON: classification, input, output, command, …; see docs/compute/jobs.md)')
    .option('--purpose <code>', 'purpose of use (HL7 v3: HRESCH, CLINTRCH, HOPERAT, …; default $PHIGUARD_PURPOSE)')
    .addHelpText('after', '\nExample:\n  $ phiguard jobs submit radiology.json --purpose HRESCH')
    .action(async (file: string, options: { purpose?: string }) => {
      // `--purpose` may be taken by the program-wide option of remote mode: accept it from there too.
      const purpose = options.purpose ?? program.opts<{ purpose?: string }>().purpose ?? ctx.env.PHIGUARD_PURPOSE;
      if (purpose === undefined) {
        ctx.stderr.write('a purpose of use is required: --purpose HRESCH (or CLINTRCH, HOPERAT, …)\n');
        process.exitCode = 1;
        return;
      }
      let spec: unknown;
      try {
        spec = JSON.parse(readFileSync(path.resolve(ctx.cwd, file), 'utf8'));
      } catch {
        ctx.stderr.write('cannot read the run spec: give a JSON file (see docs/compute/jobs.md)\n');
        process.exitCode = 1;
        return;
      }
      const answer = await callServer(program, ctx, 'POST', '/v1/jobs', { body: spec, headers: { 'x-purpose-of-use': purpose } });
      if (answer !== undefined) printJob(ctx, answer.body as JobView);
    });
  jobs.command('status <id>').description('A job\'s state, attempts, node and output dataset version')
    .addHelpText('after', '\nExample:\n  $ phiguard jobs status job_01j…')
    .action(async (id: string) => {
      const answer = await callServer(program, ctx, 'GET', `/v1/jobs/${encodeURIComponent(id)}`);
      if (answer !== undefined) printJob(ctx, answer.body as JobView);
    });
  jobs.command('logs <id>').description('A job\'s logs (seeded identifiers are redacted on arrival; flagged chunks are marked)')
    .addHelpText('after', '\nExample:\n  $ phiguard jobs logs job_01j…')
    .action(async (id: string) => {
      const answer = await callServer(program, ctx, 'GET', `/v1/jobs/${encodeURIComponent(id)}/logs`);
      if (answer === undefined) return;
      for (const chunk of answer.body as { text: string; flagged: number; attempt: number }[]) {
        if (chunk.flagged > 0) ctx.stderr.write(`[attempt ${String(chunk.attempt)}: ${String(chunk.flagged)} identifier(s) redacted from the next chunk]\n`);
        ctx.stdout.write(chunk.text);
      }
    });
  jobs.command('cancel <id>').description('Cancel a job; a running agent stops it at its next heartbeat and wipes its workspace')
    .addHelpText('after', '\nExample:\n  $ phiguard jobs cancel job_01j…')
    .action(async (id: string) => {
      const answer = await callServer(program, ctx, 'POST', `/v1/jobs/${encodeURIComponent(id)}/cancel`);
      if (answer !== undefined) ctx.stdout.write(`${id}: ${(answer.body as { outcome: string }).outcome}\n`);
    });
}
