import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { ComputeNode } from '@phiguard/compute';
import type { CliContext } from '../context.ts';
import { callServer } from './jobs.ts';

function line(n: ComputeNode): string {
  const att = n.attestation === undefined ? 'never attested' : `attested ${n.attestation.cpuTee}${n.attestation.gpuCc ? '+gpu-cc' : ''} at ${new Date(n.attestation.verifiedMs).toISOString()}`;
  return `${n.id}  ${n.name}  ${n.region}  ${String(n.gpu.count)}×${n.gpu.model}  tee ${n.cpuTee.join(',') || 'none'}  ${n.enabled ? 'enabled' : 'disabled'}  ${att}\n`;
}

/**
 * `phiguard nodes register FILE` (remote, admin): adds a node on the server of the last `phiguard
 * login` and binds it to its agent's service account. `nodes add|list|show` (compute.ts) work on
 * the configured store directly.
 */
export function registerNodes(program: Command, ctx: CliContext): void {
  const nodes = program.commands.find((c) => c.name() === 'nodes') ?? program.command('nodes').description('GPU nodes that run jobs');
  nodes.command('register <file>').description('Register a node on the server and bind it to its agent\'s service account (JSON: name, providerId, region, gpu, memoryGiB, cpuTee, gpuCc, diskEncryption, serviceAccount); admin')
    .addHelpText('after', `
The service account (POST /v1/service-accounts, then an API key for it) is what the node's agent
authenticates as; see docs/compute/agent.md.

Example:
  $ phiguard nodes register node.json`)
    .action(async (file: string) => {
      let body: unknown;
      try {
        body = JSON.parse(readFileSync(path.resolve(ctx.cwd, file), 'utf8'));
      } catch {
        ctx.stderr.write('cannot read the node file: give a JSON file (see docs/compute/agent.md)\n');
        process.exitCode = 1;
        return;
      }
      const answer = await callServer(program, ctx, 'POST', '/v1/nodes', { body });
      if (answer !== undefined) ctx.stdout.write(line(answer.body as ComputeNode));
    });
}
