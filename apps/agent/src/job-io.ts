import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { ReleasedKeyProvider, UploadKeyProvider, type ReleasedInput } from '@phiguard/compute';
import { sealStream, unsealStream } from '@phiguard/keys';
import { AgentError } from './agent-error.ts';
import type { ControlPlaneClient } from './control-plane-client.ts';

/**
 * Streams each sealed input from the control plane, opens it with the released keys (frames
 * authenticated before any byte is written) into the memory-only workspace, and checks the
 * plaintext digest against the dataset index. Returns the number of bytes written.
 */
export async function fetchInputs(o: { client: ControlPlaneClient; jobId: string; token: string; inputs: readonly ReleasedInput[]; providers: readonly ReleasedKeyProvider[]; dir: string }): Promise<number> {
  let total = 0;
  for (const input of o.inputs) {
    const target = path.resolve(o.dir, input.name);
    if (!target.startsWith(`${o.dir}${path.sep}`)) throw new AgentError('input-corrupt', 'an input file name leaves the workspace', { place: { index: input.index } });
    await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
    const source = await o.client.stream(`/v1/agent/jobs/${o.jobId}/inputs/${String(input.index)}`, { 'x-lease-token': o.token });
    const hash = createHash('sha256');
    const file = await open(target, 'wx', 0o600);
    try {
      for await (const chunk of unsealStream(source, { providers: o.providers })) {
        hash.update(chunk);
        await file.write(chunk);
        total += chunk.length;
        chunk.fill(0);
      }
    } finally {
      await file.close();
    }
    if (`sha256:${hash.digest('hex')}` !== input.sha256) throw new AgentError('input-corrupt', 'an input file does not match its digest', { place: { index: input.index } });
  }
  return total;
}

async function listOutputs(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix === '' ? e.name : `${prefix}/${e.name}`;
    if (e.isDirectory()) out.push(...(await listOutputs(dir, rel)));
    else if (e.isFile()) out.push(rel);
  }
  return out.sort();
}

/**
 * Seals every file the job wrote under the output folder with a new data key (wrapped with HPKE
 * to the control plane's upload key, bound to this job) and uploads it. Returns files and sealed bytes.
 */
export async function uploadOutputs(o: { client: ControlPlaneClient; jobId: string; token: string; uploadKey: Uint8Array; dir: string }): Promise<{ files: number; bytes: number }> {
  const provider = UploadKeyProvider.forNode(o.uploadKey);
  let bytes = 0;
  const names = await listOutputs(o.dir);
  for (const name of names) {
    const parts: Buffer[] = [];
    for await (const part of sealStream(createReadStream(path.join(o.dir, name)), { wrapWith: [{ provider, keyId: o.jobId }], context: { job: o.jobId, part: 'output' } })) parts.push(Buffer.from(part));
    const envelope = Buffer.concat(parts);
    bytes += envelope.length;
    const answer = await o.client.octets('PUT', `/v1/agent/jobs/${o.jobId}/outputs/${Buffer.from(name).toString('base64url')}`, envelope, { 'x-lease-token': o.token });
    if (answer.status !== 204) throw new AgentError('server-refused', `output upload refused (${String(answer.status)})`, { place: { field: 'outputs' } });
  }
  return { files: names.length, bytes };
}
