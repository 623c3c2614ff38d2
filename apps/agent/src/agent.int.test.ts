// End to end on one machine (issue 8): ingest → de-identify → seal → submit → agent (separate
// process, insecure-local + dev flag) → sealed results → the ledger verifies; the same PHI job
// without the control plane's dev flag is refused and ledgered; kill -9 mid-job requeues and the
// job completes exactly once; cancel and timeout stop the job; the tmpfs workspace is empty after
// every exit path.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createClinicalTextDeidentifier, createPatientContextFactory, deidKeyFromSecret } from '@phiguard/deid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgentProcess } from './testing/agent-process.ts';
import { startLocalControlPlane, type LocalControlPlane } from './testing/local-control-plane.ts';

const SEEDS = ['Jonathan Quimby', 'MRN00482913', '(555) 867-5309', 'quimby.j@example.org'];
const NOTES = [
  'Patient Jonathan Quimby (MRN00482913) seen on 2026-03-14. Phone (555) 867-5309. Chest pain resolved.',
  'Follow-up for Jonathan Quimby: email quimby.j@example.org. BP 128/82, continue lisinopril.',
];
const shm = mkdtempSync('/dev/shm/phiguard-agent-test-');
const scripts = mkdtempSync(path.join(shm, 'scripts-'));
// The job: counts words of every input into out/counts.json; prints a seeded identifier to its log
// (as a careless job would); sleeps SLEEP_MS first when asked (kill -9, cancel, timeout).
const JOB = path.join(scripts, 'count-words.mjs');
writeFileSync(JOB, `
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
const input = process.env.PHIGUARD_INPUT_DIR, output = process.env.PHIGUARD_OUTPUT_DIR;
const ms = Number(process.env.SLEEP_MS ?? 0);
if (ms > 0) { console.log('sleeping'); await new Promise((r) => setTimeout(r, ms)); }
const counts = {};
for (const name of readdirSync(input).sort()) counts[name] = readFileSync(path.join(input, name), 'utf8').split(/\\s+/).filter(Boolean).length;
console.log('job ' + process.env.PHIGUARD_JOB_ID + ' counted ' + Object.keys(counts).length + ' files; debug: MRN00482913');
writeFileSync(path.join(output, 'counts.json'), JSON.stringify(counts));
`);

const STEWARD = 'usr_01jxk3q8y9a2b3c4d5e6f7g8h9';
let cp: LocalControlPlane;
let inputDataset: string;
let outputDataset: string;

function workspaceEntries(root: string): string[] {
  try {
    return readdirSync(root, { recursive: true }).map(String);
  } catch {
    return [];
  }
}

async function waitFor<T>(probe: () => Promise<T | undefined>, ms = 90_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function actions(id: string): Promise<string[]> {
  return (await cp.ledger.search({ resourceType: 'job', resourceId: id, limit: 1000 })).map((h) => h.event.action);
}

/** Resolves once the job's command is running (its agent ledgered run-started). */
async function running(id: string): Promise<void> {
  await waitFor(async () => ((await actions(id)).includes('agent.run-started') ? true : undefined));
}

async function submit(env: Record<string, string> = {}, extra: Record<string, unknown> = {}): Promise<string> {
  const token = await cp.submitterToken();
  const answer = await cp.call('POST', '/v1/jobs', {
    token, headers: { 'x-purpose-of-use': 'HRESCH' },
    body: { classification: 'phi', input: { dataset: inputDataset }, output: { dataset: outputDataset }, command: [process.execPath, JOB], env, ...extra },
  });
  expect(answer.status).toBe(201);
  return (answer.json() as { id: string }).id;
}

async function status(id: string): Promise<{ state: string; attempts: number; reason: string | null; result: { output?: { version: number } } | null }> {
  return (await cp.call('GET', `/v1/jobs/${id}`, { token: await cp.submitterToken() })).json() as never;
}

beforeAll(async () => {
  cp = await startLocalControlPlane({ devInsecureLocal: true, logIdentifiers: SEEDS, leaseMs: 1500 });
  // Ingest and de-identify (packages/deid): the known identifiers of this fictional patient go.
  const factory = createPatientContextFactory(deidKeyFromSecret(new Uint8Array(32).fill(7)));
  const patient = factory.forPatient({ system: 'urn:mrn', value: 'MRN00482913' });
  const engine = createClinicalTextDeidentifier();
  const deidentified = NOTES.map((text) => engine.deidentify({ text, patient, known: { names: ['Jonathan Quimby'], identifiers: ['MRN00482913'], phones: ['(555) 867-5309'], emails: ['quimby.j@example.org'] } }).text);
  for (const text of deidentified) for (const seed of SEEDS) expect(text).not.toContain(seed);
  // Seal them as a dataset version (packages/vault).
  const input = await cp.datasets.create({ actor: STEWARD, name: 'notes-deid', keyId: 'dataset-key' });
  await cp.datasets.addVersion(input.id, { actor: STEWARD, files: deidentified.map((t, i) => ({ name: `note-${String(i + 1)}.txt`, open: () => [Buffer.from(t)] })) });
  inputDataset = input.id;
  outputDataset = (await cp.datasets.create({ actor: STEWARD, name: 'note-counts', keyId: 'dataset-key' })).id;
}, 120_000);

afterAll(async () => {
  await cp.close();
  rmSync(shm, { recursive: true, force: true });
});

describe('agent end to end (insecure-local, dev flag)', () => {
  it('runs a PHI job: inputs unsealed in tmpfs, outputs sealed as a new dataset version, logs redacted, workspace wiped', async () => {
    const id = await submit();
    const ws = path.join(shm, 'ws-ok');
    const agent = startAgentProcess({ url: cp.url, caFile: cp.caFile, apiKey: cp.agentKey, workspace: ws, dev: true, maxJobs: 1 });
    const code = await agent.exited;
    expect(code, agent.output()).toBe(0);
    const job = await status(id);
    expect(job.state).toBe('succeeded');
    expect(job.result?.output?.version).toBe(1);
    // The outputs are a sealed dataset version; read back through the vault.
    const opened = await cp.datasets.open(STEWARD, outputDataset);
    expect(opened.files.map((f) => f.name)).toEqual(['counts.json']);
    const chunks: Buffer[] = [];
    for await (const c of cp.datasets.read(opened, opened.files[0] as never)) chunks.push(c);
    expect(JSON.parse(Buffer.concat(chunks).toString())).toEqual({ 'note-1.txt': expect.any(Number) as number, 'note-2.txt': expect.any(Number) as number });
    // Logs: the seeded MRN the job printed is redacted and flagged.
    const logs = (await cp.call('GET', `/v1/jobs/${id}/logs`, { token: await cp.submitterToken() })).json() as { text: string; flagged: number }[];
    const text = logs.map((l) => l.text).join('');
    expect(text).toContain('counted 2 files');
    expect(text).not.toContain('MRN00482913');
    expect(logs.reduce((n, l) => n + l.flagged, 0)).toBeGreaterThan(0);
    expect(workspaceEntries(ws)).toEqual([]);
    expect(cp.warnings.some((w) => w.startsWith('INSECURE'))).toBe(true);
    for (const seed of SEEDS) expect(agent.output()).not.toContain(seed);
    // Every step is in the ledger, in order.
    const actions = (await cp.ledger.search({ resourceType: 'job', resourceId: id, limit: 1000 })).map((h) => h.event.action);
    expect(actions).toEqual(expect.arrayContaining(['job.submit', 'job.request', 'job.lease', 'key.release', 'agent.attested', 'agent.inputs-unsealed', 'agent.run-started', 'agent.run-exited', 'agent.outputs-sealed', 'job.log.flag', 'job.complete', 'agent.workspace-wiped']));
  });

  it('kill -9 mid-job: plaintext is left only until the next agent start, the job is requeued and completes exactly once', async () => {
    const before = (await cp.datasets.versions(outputDataset)).length;
    const id = await submit({ SLEEP_MS: '3000' });
    const ws = path.join(shm, 'ws-kill');
    const first = startAgentProcess({ url: cp.url, caFile: cp.caFile, apiKey: cp.agentKey, workspace: ws, dev: true, maxJobs: 1 });
    await running(id);
    first.child.kill('SIGKILL');
    await first.exited;
    // SIGKILL runs no cleanup: the unsealed inputs are still in the tmpfs workspace...
    expect(workspaceEntries(ws).some((e) => e.endsWith('note-1.txt'))).toBe(true);
    // ...until the next agent starts: it wipes leftovers, takes over the expired lease and finishes.
    const second = startAgentProcess({ url: cp.url, caFile: cp.caFile, apiKey: cp.agentKey, workspace: ws, dev: true, maxJobs: 1 });
    expect(await second.exited, second.output()).toBe(0);
    expect(second.output()).toContain('wiped 1 workspace(s)');
    const job = await status(id);
    expect(job.state).toBe('succeeded');
    expect(job.attempts).toBe(2);
    expect((await cp.datasets.versions(outputDataset)).length).toBe(before + 1);
    const done = await actions(id);
    expect(done.filter((a) => a === 'job.complete')).toHaveLength(1);
    expect(done.filter((a) => a === 'job.lease')).toHaveLength(2);
    expect(workspaceEntries(ws)).toEqual([]);
  });

  it('cancel: the agent stops the command at its next heartbeat and wipes the workspace', async () => {
    const id = await submit({ SLEEP_MS: '60000' });
    const ws = path.join(shm, 'ws-cancel');
    const agent = startAgentProcess({ url: cp.url, caFile: cp.caFile, apiKey: cp.agentKey, workspace: ws, dev: true, maxJobs: 1 });
    await running(id);
    const cancelled = await cp.call('POST', `/v1/jobs/${id}/cancel`, { token: await cp.submitterToken() });
    expect(cancelled.json()).toEqual({ id, outcome: 'cancelled' });
    expect(await agent.exited, agent.output()).toBe(0);
    expect((await status(id)).state).toBe('cancelled');
    expect(await actions(id)).toEqual(expect.arrayContaining(['job.cancel', 'agent.cancelled', 'agent.workspace-wiped']));
    expect(workspaceEntries(ws)).toEqual([]);
  });

  it('timeout: a job past its time is stopped, not retried, and its workspace wiped', async () => {
    const id = await submit({ SLEEP_MS: '60000' }, { timeoutSeconds: 3 });
    const ws = path.join(shm, 'ws-timeout');
    const agent = startAgentProcess({ url: cp.url, caFile: cp.caFile, apiKey: cp.agentKey, workspace: ws, dev: true, maxJobs: 1 });
    expect(await agent.exited, agent.output()).toBe(0);
    const job = await status(id);
    // Whichever saw the deadline first (the agent's timer, or the control plane at a heartbeat).
    expect(['timed-out', 'failed']).toContain(job.state);
    expect(job.reason).toBe('timeout');
    expect(await actions(id)).toEqual(expect.arrayContaining(['agent.timed-out', 'agent.workspace-wiped']));
    expect(workspaceEntries(ws)).toEqual([]);
  });

  it('SIGTERM: the agent stops the job, requeues it, wipes the workspace and exits cleanly', async () => {
    const id = await submit({ SLEEP_MS: '60000' });
    const ws = path.join(shm, 'ws-term');
    const agent = startAgentProcess({ url: cp.url, caFile: cp.caFile, apiKey: cp.agentKey, workspace: ws, dev: true });
    await running(id);
    agent.child.kill('SIGTERM');
    expect(await agent.exited, agent.output()).toBe(0);
    expect((await status(id)).state).toBe('queued');
    expect(await actions(id)).toEqual(expect.arrayContaining(['job.requeue', 'agent.workspace-wiped']));
    expect(workspaceEntries(ws)).toEqual([]);
    await cp.call('POST', `/v1/jobs/${id}/cancel`, { token: await cp.submitterToken() });
  });

  it('the ledger of all of the above verifies (as `phiguard audit verify` does) and holds no seeded identifier', async () => {
    const report = await cp.verifyLedger();
    expect(report.ok, JSON.stringify(report)).toBe(true);
    const all = JSON.stringify(await cp.ledger.search({ limit: 10_000 }));
    for (const seed of SEEDS) expect(all).not.toContain(seed);
  });

  it('an agent started for one job (--job-id, PHIGUARD_AGENT_JOB_ID) leases that job only', async () => {
    const older = await submit();
    const pinned = await submit();
    const agent = startAgentProcess({ url: cp.url, caFile: cp.caFile, apiKey: cp.agentKey, workspace: path.join(shm, 'ws-pin'), dev: true, extra: ['--job-id', pinned] });
    expect(await agent.exited, agent.output()).toBe(0);
    expect((await status(pinned)).state).toBe('succeeded');
    expect((await status(older)).state).toBe('queued');
    await cp.call('POST', `/v1/jobs/${older}/cancel`, { token: await cp.submitterToken() });
  });
});
