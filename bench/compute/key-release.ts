// key_releases_per_s (BENCHMARKS.md, compute): one full control-plane key release per iteration —
// issue a nonce, verify the node's evidence through the verifier port (insecure-local: REPORT_DATA
// = SHA-512(nonce ‖ SHA-256(node key)) binding and nonce freshness), spend the nonce, decide with the
// Cedar release policy, HPKE-seal two 32-byte data keys to the node's fresh X25519 key (RFC 9180), and
// record the key.release event (validated like the ledger does; the ledger's own append rate is
// bench/results/ledger.json). Peer in the same run: bare HPKE single-shot seals per second, the
// floor of any release. The node's key pair is made outside the timed part (it is the agent's cost).
import { randomBytes } from 'node:crypto';
import { ManualClock } from '@phiguard/core';
import {
  ComputePolicy,
  generateNodeKeyPair,
  InsecureLocalAttestor,
  KeyReleaser,
  MemoryNonceStore,
  sealKeys,
  type JobFacts,
  type NodeKeyPair,
} from '@phiguard/compute';
import { MemoryAuditRecorder } from '@phiguard/testkit';

async function rate(seconds: number, fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 20; i++) await fn();
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(seconds * 1e9));
  let n = 0;
  while (process.hrtime.bigint() < end) {
    await fn();
    n += 1;
  }
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

/** Measures key releases per second and the HPKE seal peer; returns metrics for bench/results/compute.json. */
export async function measureKeyReleases(seconds: number): Promise<Record<string, number>> {
  const clock = new ManualClock(Date.now());
  const audit = new MemoryAuditRecorder();
  const releaser = new KeyReleaser({
    verifier: new InsecureLocalAttestor(),
    verifierPolicy: {},
    policy: new ComputePolicy(),
    nonces: new MemoryNonceStore({ ttlMs: 60_000 }),
    audit,
    clock,
  });
  const job: JobFacts = { id: 'job_0000000000000000000000000a', classification: 'deidentified', gpuCount: 1, gpuModels: [], minGpuMemoryGiB: 0, budgetMicroUsdPerHour: undefined, regions: [] };
  const keys = [{ id: 'key_a', key: randomBytes(32) }, { id: 'key_b', key: randomBytes(32) }];
  const pool: NodeKeyPair[] = [];
  for (let i = 0; i < 64; i++) pool.push(await generateNodeKeyPair());
  let i = 0;
  const releaseRate = await rate(seconds, async () => {
    const node = pool[i++ % pool.length];
    if (node === undefined) throw new Error('empty pool');
    const nonce = await releaser.challenge();
    const outcome = await releaser.release(
      { job, nodeId: 'node_0000000000000000000000000a', baaValid: true, nonce, publicKey: node.publicKey, evidence: InsecureLocalAttestor.evidence(nonce, node.keyHash) },
      keys,
    );
    if (!outcome.ok) throw new Error(`release refused: ${outcome.reason}`);
    if (audit.events.length > 10_000) audit.events.length = 0;
  });
  const hash = `sha256:${'0'.repeat(64)}`;
  const sealRate = await rate(seconds, () => sealKeys({ jobId: job.id, evidenceHash: hash, recipientPublicKey: (pool[i++ % pool.length] ?? pool[0])?.publicKey ?? new Uint8Array(32), keys }));
  return {
    key_releases_per_s: Math.round(releaseRate),
    hpke_seals_per_s: Math.round(sealRate),
    key_release_to_hpke_seal_ratio: Number((releaseRate / sealRate).toFixed(4)),
  };
}
