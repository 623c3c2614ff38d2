import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { AuditRecorder, SqlDriver } from '@phiguard/audit';
import type { ComputeCatalog, ComputeDatabaseOptions, JobDispatcher, PlacementPlan, SqlJobQueue } from '@phiguard/compute';
import { systemClock, type PhiguardConfig } from '@phiguard/core';
import type { RemoteServices } from '@phiguard/server';
import type { CliContext } from '../context.ts';

// Start-up: @phiguard/compute (and the ledger, the blob store) load when a compute command runs.
// The help texts spell out BAA_STATUSES and CONTACT_ROLES; compute.test.ts checks they match.
const BAA_STATUS_HELP = 'signed, pending, none, terminated';
const CONTACT_ROLE_HELP = 'privacy-officer, security, account, support';

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/**
 * Where the compute catalog and queue live for the configured store: PostgreSQL itself, or an
 * embedded PGlite folder of its own (`<home>/compute-db`; PGlite allows one opener per folder and
 * the ledger holds `database.dataDir`).
 */
export function computeDatabaseOf(cfg: PhiguardConfig): ComputeDatabaseOptions {
  return cfg.database.kind === 'postgres' ? { kind: 'postgres', url: cfg.database.url } : { kind: 'pglite', dataDir: path.join(cfg.home, 'compute-db') };
}

async function readJson(file: string): Promise<unknown> {
  const { ComputeError } = await import('@phiguard/compute');
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (cause) {
    throw new ComputeError('invalid-input', 'not a readable JSON file', { place: { file: path.basename(file) }, cause, hint: 'check the path and that the file is JSON' });
  }
}

async function readPriceList(file: string | undefined): Promise<Readonly<Record<string, number>>> {
  const { ComputeError, DEFAULT_PRICE_LIST } = await import('@phiguard/compute');
  if (file === undefined) return DEFAULT_PRICE_LIST;
  const doc = await readJson(file);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || !Object.values(doc).every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0)) {
    throw new ComputeError('invalid-input', 'a price list maps model codes to dollars per hour', { place: { file: path.basename(file) } });
  }
  return { ...DEFAULT_PRICE_LIST, ...(doc as Record<string, number>) };
}

const money = (usd: number | undefined): string => (usd === undefined ? '?' : `$${usd.toFixed(2)}/h`);

/** The plan as lines: the choice first, then every node with its price and why it does or does not qualify. */
export function formatPlan(plan: PlacementPlan): string {
  const lines = [`job ${plan.jobId} (${plan.classification}): ${plan.chosen === undefined ? 'no node qualifies' : `chosen ${plan.chosen.nodeName} at ${money(plan.chosen.pricePerHourUsd)}`}`];
  for (const c of plan.candidates) {
    const mark = c === plan.chosen ? '*' : c.qualifies ? '+' : '-';
    lines.push(`${mark} ${c.nodeName.padEnd(20)} ${money(c.pricePerHourUsd).padStart(11)}  ${c.qualifies ? 'qualifies' : `refused: ${c.reasons.join(', ')}`}`);
  }
  lines.push(`policy ${plan.policyHash}`);
  return `${lines.join('\n')}\n`;
}

/**
 * `phiguard compute plan`, `phiguard nodes add|list|show`, `phiguard providers add|list` (issue 8),
 * local mode against the configured store. docs/compute/placement.md is the guide.
 */
export function registerCompute(program: Command, ctx: CliContext): void {
  const config = (): PhiguardConfig => ctx.config(program.opts<{ config?: string }>().config);
  const say = (text: string): void => void ctx.stdout.write(text.endsWith('\n') ? text : `${text}\n`);

  /** Opens the compute database (and, for changes, the audit ledger), runs `work`, closes both. */
  async function withCatalog<T>(audited: boolean, work: (catalog: ComputeCatalog, cfg: PhiguardConfig, ledger: AuditRecorder | undefined) => Promise<T>): Promise<T> {
    const cfg = config();
    mkdirSync(cfg.home, { recursive: true, mode: 0o700 });
    const [{ openComputeDatabase, SqlComputeCatalog }, { openLedger }] = await Promise.all([import('@phiguard/compute'), import('@phiguard/audit')]);
    const db: SqlDriver = await openComputeDatabase(computeDatabaseOf(cfg));
    try {
      const ledger = audited ? await openLedger({ config: cfg, clock: systemClock }) : undefined;
      try {
        return await work(new SqlComputeCatalog(db, systemClock, ledger === undefined ? {} : { audit: ledger }), cfg, ledger);
      } finally {
        await ledger?.close();
      }
    } finally {
      await db.close();
    }
  }

  const compute = program.command('compute').description('Confidential compute: plan where a job runs (policy, attestation, BAA, price)');
  compute
    .command('plan')
    .argument('<job>', 'JOB.json: {classification: phi|deidentified|none, gpu?: {count, models?, minMemoryGiB?}, budgetPerHourUsd?, regions?}')
    .option('--price-list <file>', 'JSON {model or COUNTxmodel: dollars per hour} over the default list prices')
    .option('--policies <dir>', 'compute policy folder (default: the shipped packages/compute/policies)')
    .option('--json', 'print the plan as JSON')
    .description('Explain which nodes may run the job and choose the cheapest; the decision is recorded in the audit ledger')
    .addHelpText('after', `
Example JOB.json:
  { "classification": "phi", "gpu": { "count": 1, "models": ["h100"] }, "budgetPerHourUsd": 3 }

Examples:
  $ phiguard compute plan job.json
  $ phiguard compute plan job.json --price-list prices.json --json`)
    .action(async (file: string, options: { priceList?: string; policies?: string; json?: boolean }) => {
      const { ComputePolicy, jobFactsFromSpec, Placer, readComputePolicies } = await import('@phiguard/compute');
      const job = jobFactsFromSpec(await readJson(file), systemClock);
      const policy = new ComputePolicy(readComputePolicies(options.policies));
      const priceList = await readPriceList(options.priceList);
      await withCatalog(true, async (catalog, _cfg, ledger) => {
        if (ledger === undefined) throw new TypeError('plan needs the ledger');
        const plan = await new Placer({ catalog, policy, audit: ledger, clock: systemClock, priceList }).place(job);
        say(options.json === true ? JSON.stringify(plan, null, 2) : formatPlan(plan));
        if (plan.chosen === undefined) process.exitCode = 3;
      });
    });

  const providers = program.command('providers').description('GPU providers and their Business Associate Agreements');
  providers
    .command('add')
    .argument('<name>', 'a short name, e.g. lambda or onprem-lab')
    .option('--region <code>', 'a region the provider offers (repeat)', collect)
    .option('--contact <role:email>', `a contact (${CONTACT_ROLE_HELP}), e.g. privacy-officer:privacy@cloud.example (repeat)`, collect)
    .option('--baa <status>', `BAA status: ${BAA_STATUS_HELP}`, 'none')
    .option('--baa-effective <date>', 'first day the BAA is in force (YYYY-MM-DD)')
    .option('--baa-expires <date>', 'first day it no longer is (YYYY-MM-DD)')
    .description('Register a provider with its BAA (PHI is never placed without a BAA in force)')
    .addHelpText('after', '\nExample:\n  $ phiguard providers add gpu-cloud --region us-east --contact privacy-officer:privacy@gpu-cloud.example --baa signed --baa-effective 2026-01-01 --baa-expires 2027-01-01')
    .action(async (name: string, o: { region?: string[]; contact?: string[]; baa: string; baaEffective?: string; baaExpires?: string }) => {
      const contacts = (o.contact ?? []).map((c) => {
        const at = c.indexOf(':');
        return { role: c.slice(0, at), email: c.slice(at + 1) };
      });
      const { baaInForce } = await import('@phiguard/compute');
      const baa = { status: o.baa, ...(o.baaEffective === undefined ? {} : { effectiveOn: o.baaEffective }), ...(o.baaExpires === undefined ? {} : { expiresOn: o.baaExpires }) };
      await withCatalog(true, async (catalog) => {
        // The catalog validates every field (ComputeError names it).
        const p = await catalog.addProvider({ name, regions: o.region ?? [], contacts, baa } as unknown as Parameters<ComputeCatalog['addProvider']>[0]);
        say(`added provider ${p.name} ${p.id} (BAA ${baaInForce(p.baa, systemClock.now()) ? 'in force' : 'NOT in force'})`);
      });
    });
  providers
    .command('list')
    .description('List providers with their BAA status now')
    .addHelpText('after', '\nExample:\n  $ phiguard providers list')
    .action(async () => {
      const { baaInForce } = await import('@phiguard/compute');
      await withCatalog(false, async (catalog) => {
        const now = systemClock.now();
        for (const p of await catalog.listProviders()) {
          const baa = `${p.baa.status}${p.baa.effectiveOn === undefined ? '' : ` from ${p.baa.effectiveOn}`}${p.baa.expiresOn === undefined ? '' : ` until ${p.baa.expiresOn}`}`;
          say(`${p.name.padEnd(20)} ${p.id}  BAA ${baaInForce(p.baa, now) ? 'in force' : 'NOT in force'} (${baa})  regions ${p.regions.join(',') || '-'}`);
        }
      });
    });

  const nodes = program.command('nodes').description('GPU nodes: hardware, TEE capabilities, disk encryption, price');
  nodes
    .command('add')
    .argument('<name>', 'a short name, e.g. h100-east-1')
    .requiredOption('--provider <name|id>', 'the provider running it')
    .requiredOption('--region <code>', 'its region')
    .option('--gpu <model>', 'GPU model code: h100, a100-80gb, rtx-4090, ... (none for CPU only)', 'none')
    .option('--gpus <n>', 'number of GPUs', (v) => Number(v), 0)
    .option('--gpu-memory <GiB>', 'memory per GPU', (v) => Number(v), 0)
    .option('--memory <GiB>', 'host memory', (v) => Number(v), 0)
    .option('--tee <kind>', 'CPU TEE the hardware offers: sev-snp or tdx (repeat)', collect)
    .option('--gpu-cc <kind>', 'GPU confidential computing: hopper or blackwell (repeat)', collect)
    .option('--disk-encryption', 'local disks are encrypted', false)
    .option('--price <usd>', 'its own price per hour (default: the list price of its GPUs)', (v) => Number(v))
    .description('Register a node (capabilities are declared; placement for PHI also needs a fresh verified attestation)')
    .addHelpText('after', '\nExample:\n  $ phiguard nodes add h100-east-1 --provider gpu-cloud --region us-east --gpu h100 --gpus 1 --gpu-memory 80 --memory 256 --tee sev-snp --gpu-cc hopper --disk-encryption')
    .action(async (name: string, o: { provider: string; region: string; gpu: string; gpus: number; gpuMemory: number; memory: number; tee?: string[]; gpuCc?: string[]; diskEncryption: boolean; price?: number }) => {
      const { nodePricePerHour } = await import('@phiguard/compute');
      await withCatalog(true, async (catalog) => {
        const input = {
          providerId: o.provider, name, region: o.region, gpu: { model: o.gpu, count: o.gpus, memoryGiB: o.gpuMemory }, memoryGiB: o.memory,
          cpuTee: o.tee ?? [], gpuCc: o.gpuCc ?? [], diskEncryption: o.diskEncryption, ...(o.price === undefined ? {} : { pricePerHourUsd: o.price }),
        };
        const n = await catalog.addNode(input as unknown as Parameters<ComputeCatalog['addNode']>[0]);
        say(`added node ${n.name} ${n.id} (${String(n.gpu.count)}× ${n.gpu.model}, ${money(nodePricePerHour(n))})`);
      });
    });
  nodes
    .command('list')
    .description('List nodes with GPUs, TEEs, attestation and price')
    .addHelpText('after', '\nExample:\n  $ phiguard nodes list')
    .action(async () => {
      const { nodePricePerHour } = await import('@phiguard/compute');
      await withCatalog(false, async (catalog) => {
        const names = new Map((await catalog.listProviders()).map((p) => [p.id, p.name]));
        for (const n of await catalog.listNodes()) {
          const att = n.attestation === undefined ? 'never attested' : `attested ${n.attestation.cpuTee}${n.attestation.gpuCc ? '+gpu-cc' : ''} at ${new Date(n.attestation.verifiedMs).toISOString()}`;
          say(`${n.name.padEnd(20)} ${(names.get(n.providerId) ?? n.providerId).padEnd(14)} ${n.region.padEnd(10)} ${String(n.gpu.count)}× ${n.gpu.model.padEnd(10)} tee ${n.cpuTee.join(',') || '-'} cc ${n.gpuCc.join(',') || '-'} disk ${n.diskEncryption ? 'encrypted' : 'plain'} ${money(nodePricePerHour(n))} ${n.enabled ? '' : 'DISABLED '}${att}`);
        }
      });
    });
  nodes
    .command('show')
    .argument('<node>', 'node name or id')
    .description('Show one node as JSON')
    .addHelpText('after', '\nExample:\n  $ phiguard nodes show h100-east-1')
    .action(async (id: string) => {
      const { ComputeError, nodePricePerHour } = await import('@phiguard/compute');
      await withCatalog(false, async (catalog) => {
        const n = await catalog.getNode(id);
        if (n === undefined) throw new ComputeError('not-found', 'no such node', { place: { field: 'node' }, hint: 'phiguard nodes list shows the nodes' });
        say(JSON.stringify({ ...n, effectivePricePerHourUsd: nodePricePerHour(n) ?? null }, null, 2));
      });
    });
}

/**
 * For `phiguard serve`: job dispatch to GPU node agents over the same vault and keystore the
 * remote-command routes use (the jobs, nodes and agent routes). Undefined when the keystore is not
 * unlocked (no datasets, so nothing to run on). Evidence kinds served: `insecure-local` plus every
 * kind the `attestation` config section sets up (SEV-SNP, TDX, NVIDIA GPU; docs/compute/attestation.md);
 * its files are read here, so a bad one stops `serve` at start. `PHIGUARD_DEV_INSECURE_LOCAL=1` lets PHI keys go to insecure-local nodes
 * (development only; every such release is logged on stderr and ledgered `insecure: true`).
 */
export async function openServeJobs(cfg: PhiguardConfig, env: Readonly<Record<string, string | undefined>>, remote: RemoteServices, ledger: AuditRecorder, log: (line: string) => void): Promise<{ jobs: JobDispatcher; queue: SqlJobQueue; note: string; close: () => Promise<void> } | undefined> {
  if (remote.datasets === undefined || remote.keys === undefined) return undefined;
  const [
    { AgentStore, ComputePolicy, configuredEvidenceRouter, configuredGpuEvidenceRouter, JobDispatcher, KeyReleaser, openComputeDatabase, readComputePolicies, SqlComputeCatalog, SqlJobQueue, SqlNonceStore, UploadKeyProvider },
    { FsBlobStore },
  ] = await Promise.all([import('@phiguard/compute'), import('@phiguard/vault')]);
  const datasets = await remote.datasets((d) => Promise.resolve(d));
  const provider = await remote.keys((m) => Promise.resolve(m.provider));
  const blobs = await FsBlobStore.open(path.join(cfg.home, 'blobs'), systemClock);
  const verifier = await configuredEvidenceRouter(cfg.attestation, { warn: log });
  // Without an nvidiaGpu section GPU evidence is not verified: GPU jobs with PHI are refused (gpu-evidence-missing).
  const gpuVerifier = await configuredGpuEvidenceRouter(cfg.attestation, { warn: log });
  const db = await openComputeDatabase(computeDatabaseOf(cfg));
  const catalog = new SqlComputeCatalog(db, systemClock, { audit: ledger });
  const dev = env.PHIGUARD_DEV_INSECURE_LOCAL === '1';
  const releaser = new KeyReleaser({
    verifier, verifierPolicy: null, ...(gpuVerifier === undefined ? {} : { gpuVerifier, gpuVerifierPolicy: null }), policy: new ComputePolicy(readComputePolicies()), nonces: new SqlNonceStore(db, { ttlMs: 120_000 }),
    audit: ledger, clock: systemClock, devInsecureLocal: dev, warn: log, catalog,
  });
  const queue = new SqlJobQueue(db, systemClock, { audit: ledger });
  const jobs = new JobDispatcher({
    queue, catalog, agents: new AgentStore(db), releaser, datasets, keyProviders: [provider], blobs,
    upload: await UploadKeyProvider.forControlPlane(), audit: ledger, clock: systemClock,
  });
  return { jobs, queue, note: `jobs: served to node agents (${[...verifier.kinds, ...(gpuVerifier?.kinds ?? [])].join(', ')} evidence${dev ? '; DEVELOPMENT FLAG: PHI allowed without a TEE' : ''})`, close: () => db.close() };
}
