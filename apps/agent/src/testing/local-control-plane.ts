// A whole control plane on one machine for the agent's end-to-end tests and the compute benchmark:
// HTTPS server (embedded CA), access (PGlite), ledger (PGlite folder, signed checkpoints), vault
// datasets (filesystem blobs, memory KEK), compute catalog/queue/key release (PGlite).
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { ApiKeys, argon2idHasher, Authenticator, Authorizer, openPgliteAccessStore, PolicyEngine, TokenIssuer, totpCode, type Role } from '@phiguard/access';
import { openConfiguredLedgerStore, openLedger, parseVerifierKey, readTrustedVerifierKeys, verifyLog, type Ledger, type VerifyReport } from '@phiguard/audit';
import { AgentStore, ComputePolicy, EvidenceRouter, JobDispatcher, KeyReleaser, openComputeDatabase, SqlComputeCatalog, SqlJobQueue, SqlNonceStore, UploadKeyProvider, type ComputeNode } from '@phiguard/compute';
import { loadConfig, newId, systemClock } from '@phiguard/core';
import { createMemoryKeyProvider } from '@phiguard/keys';
import { buildServer, ensureLocalTls, readTlsOptions } from '@phiguard/server';
import { Datasets, FsBlobStore, generateManifestSigner, openVaultDatabase, SqlDatasetStore } from '@phiguard/vault';

export const PASSWORD = 'violet-anchor-drizzle';

export interface LocalControlPlane {
  readonly url: string;
  readonly caFile: string;
  readonly ca: string;
  readonly home: string;
  readonly ledger: Ledger;
  readonly datasets: Datasets;
  readonly dispatcher: JobDispatcher;
  readonly queue: SqlJobQueue;
  /** Whether PHI keys may go to insecure-local nodes (the control plane's development flag). */
  readonly warnings: string[];
  /** An API key (and account) for the agent of `node`. */
  readonly agentKey: string;
  readonly node: ComputeNode;
  /** A service account with the ml-engineer role (submits jobs, reads them). */
  readonly submitterToken: () => Promise<string>;
  /** An administrator's access token (logged in with password and TOTP). */
  readonly adminToken: () => Promise<string>;
  readonly call: (method: string, url: string, options?: { token?: string; body?: unknown; headers?: Record<string, string> }) => Promise<{ status: number; json: () => unknown }>;
  /** Verifies the ledger as `phiguard audit verify` does (Merkle tree, signed checkpoint, every entry). */
  readonly verifyLedger: () => Promise<VerifyReport>;
  readonly close: () => Promise<void>;
}

export interface LocalControlPlaneOptions {
  readonly devInsecureLocal: boolean;
  /** Identifiers the log scanner redacts. */
  readonly logIdentifiers?: readonly string[];
  readonly leaseMs?: number;
  /** Registers more evidence kinds (test doubles of TEE verifiers). */
  readonly evidence?: (router: EvidenceRouter) => void;
  /** The releaser's GPU verifier (as `serve` gets from `configuredGpuEvidenceRouter`); absent: none. */
  readonly gpuVerifier?: EvidenceRouter;
}

export async function startLocalControlPlane(options: LocalControlPlaneOptions): Promise<LocalControlPlane> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'phiguard-cp-'));
  const clock = systemClock;
  const config = loadConfig({ cwd: home, env: { PHIGUARD_HOME: path.join(home, '.phiguard') } });
  mkdirSync(config.home, { recursive: true });
  const ledgerStore = await openConfiguredLedgerStore(config.database);
  const ledger = await openLedger({ config, clock, store: ledgerStore });
  const tls = ensureLocalTls(config.home);
  const store = await openPgliteAccessStore(undefined);
  const authenticator = new Authenticator({ store, clock, audit: ledger, hasher: argon2idHasher({ memoryCost: 1024, timeCost: 1 }) });
  const access = { store, authenticator, clock, apiKeys: new ApiKeys(store, clock, ledger), tokens: await TokenIssuer.create(clock), authorizer: new Authorizer(new PolicyEngine(), store, clock, ledger) };

  const vaultDb = await openVaultDatabase({ kind: 'pglite' });
  const blobs = await FsBlobStore.open(path.join(home, 'blobs'), clock);
  const { provider } = createMemoryKeyProvider(['dataset-key'], clock.nowMs());
  const { signer, verifier } = generateManifestSigner();
  const datasets = new Datasets({ store: new SqlDatasetStore(vaultDb), blobs, providers: [provider], signer, verifiers: [verifier], audit: ledger, clock });

  const computeDb = await openComputeDatabase({ kind: 'pglite' });
  const catalog = new SqlComputeCatalog(computeDb, clock, { audit: ledger });
  const queue = new SqlJobQueue(computeDb, clock, { audit: ledger });
  const warnings: string[] = [];
  const router = new EvidenceRouter().withInsecureLocal();
  options.evidence?.(router);
  const releaser = new KeyReleaser({
    verifier: router, verifierPolicy: null, ...(options.gpuVerifier === undefined ? {} : { gpuVerifier: options.gpuVerifier, gpuVerifierPolicy: null }), policy: new ComputePolicy(), nonces: new SqlNonceStore(computeDb, { ttlMs: 120_000 }),
    audit: ledger, clock, devInsecureLocal: options.devInsecureLocal, warn: (m) => warnings.push(m), catalog,
  });
  const dispatcher = new JobDispatcher({
    queue, catalog, agents: new AgentStore(computeDb), releaser, datasets, keyProviders: [provider], blobs, upload: await UploadKeyProvider.forControlPlane(), audit: ledger, clock,
    logIdentifiers: () => Promise.resolve(options.logIdentifiers ?? []), ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
  });

  // People and machines: an admin, a pipeline account (ml-engineer) and the node's agent account.
  const admin = await authenticator.createUser({ username: 'admin', password: PASSWORD, roles: ['admin'] }, undefined);
  const adminPrincipal = { kind: 'user' as const, id: admin.id, roles: admin.roles, custodianOf: [] };
  const account = async (name: string, roles: Role[], scopes: string[]): Promise<{ id: string; key: string }> => {
    const id = newId('svc', clock);
    await store.createServiceAccount({ id, name, roles, disabled: false, createdMs: clock.nowMs() });
    return { id, key: (await access.apiKeys.create(id, scopes, adminPrincipal)).key };
  };
  const agent = await account('gpu-node-1', [], []);
  const submitter = await account('pipeline', ['ml-engineer'], ['job.run', 'job.read', 'job.cancel', 'dataset.read']);
  const lab = await catalog.addProvider({ name: 'lab', regions: ['local'], contacts: [], baa: { status: 'signed', effectiveOn: '2020-01-01' } });
  const node = await dispatcher.registerNode(admin.id, { providerId: lab.id, name: 'lab-gpu-1', region: 'local', gpu: { model: 'none', count: 0, memoryGiB: 0 }, memoryGiB: 16, cpuTee: [], gpuCc: [], diskEncryption: true }, agent.id);

  const app = buildServer({ version: 'test', isReady: () => Promise.resolve(true), access, jobs: dispatcher, https: readTlsOptions({ cert: tls.serverCert, key: tls.serverKey }) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const ca = readFileSync(tls.caCert, 'utf8');
  const call: LocalControlPlane['call'] = (method, url, o = {}) => new Promise((resolve, reject) => {
    const body = o.body === undefined ? undefined : JSON.stringify(o.body);
    const req = https.request({ host: '127.0.0.1', port, method, path: url, ca, servername: 'localhost', headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(o.token === undefined ? {} : { authorization: `Bearer ${o.token}` }), ...o.headers } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, json: () => JSON.parse(text) as unknown }); });
    });
    req.on('error', reject);
    req.end(body);
  });
  const exchange = async (credential: string): Promise<string> => ((await call('POST', '/v1/auth/token', { token: credential })).json() as { accessToken: string }).accessToken;
  let adminSession: string | undefined;
  return {
    url: `https://localhost:${String(port)}`, caFile: tls.caCert, ca, home, ledger, datasets, dispatcher, queue, warnings, agentKey: agent.key, node, call,
    submitterToken: () => exchange(submitter.key),
    adminToken: async () => {
      if (adminSession === undefined) {
        const challenge = await authenticator.login('admin', PASSWORD);
        const secret = challenge.enrolment?.secret ?? '';
        adminSession = (await authenticator.completeMfa(challenge.challengeId, { totp: totpCode(secret, clock.nowMs()) })).token;
      }
      return exchange(adminSession);
    },
    verifyLedger: () => verifyLog(ledgerStore, readTrustedVerifierKeys(config.home).map((k) => parseVerifierKey(k))),
    close: async () => {
      await app.close();
      await store.close();
      await computeDb.close();
      await vaultDb.close();
      await ledger.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
