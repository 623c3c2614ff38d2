// Placement (issue 8): PHI ⇒ verified CPU TEE, bound CC GPU, BAA in force; then the cheapest.
import fc from 'fast-check';
import { ManualClock } from '@phiguard/core';
import { MemoryAuditRecorder } from '@phiguard/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import type { ComputeNode, NodeAttestation, Provider } from '../providers/catalog-types.ts';
import { baaInForce } from '../providers/baa.ts';
import { openComputeDatabase } from '../providers/compute-database.ts';
import { SqlComputeCatalog } from '../providers/sql-compute-catalog.ts';
import { ComputePolicy } from './compute-policy.ts';
import { jobFactsFromSpec } from './job-spec.ts';
import { planPlacement } from './plan-placement.ts';
import { Placer } from './placer.ts';

const NOW = Date.parse('2026-11-24T12:00:00Z');
const clock = new ManualClock(NOW);
const policy = new ComputePolicy();
const HASH = `sha256:${'1'.repeat(64)}`;

const provider = (id: string, baa: Provider['baa']): Provider => ({ id, name: id, regions: ['us-east'], contacts: [], baa, createdMs: 0 });
const GOOD = provider('prov_good', { status: 'signed', effectiveOn: '2026-01-01', expiresOn: '2027-01-01' });
const EXPIRED = provider('prov_expired', { status: 'signed', effectiveOn: '2025-01-01', expiresOn: '2026-01-01' });

let seq = 0;
function node(over: Partial<ComputeNode> & Pick<ComputeNode, 'gpu'>): ComputeNode {
  seq += 1;
  return { id: `node_${String(seq)}`, providerId: GOOD.id, name: `n${String(seq)}`, region: 'us-east', memoryGiB: 64, cpuTee: [], gpuCc: [], diskEncryption: true, enabled: true, createdMs: seq, ...over };
}
const attested = (gpu: boolean, ageMs = 60_000): NodeAttestation => ({ cpuTee: 'sev-snp', gpuCc: gpu, gpuBound: gpu, evidenceHash: HASH, verifiedMs: NOW - ageMs });

const fleet = (): ComputeNode[] => [
  node({ name: 'rtx', gpu: { model: 'rtx-4090', count: 1, memoryGiB: 24 } }),
  node({ name: 'a100', gpu: { model: 'a100-80gb', count: 1, memoryGiB: 80 }, cpuTee: ['tdx'], attestation: { ...attested(false), cpuTee: 'tdx' } }),
  node({ name: 'h100', gpu: { model: 'h100', count: 1, memoryGiB: 80 }, cpuTee: ['sev-snp'], gpuCc: ['hopper'], attestation: attested(true) }),
  node({ name: 'a100x8', gpu: { model: 'a100-80gb', count: 8, memoryGiB: 80 } }),
];
const job = (spec: Record<string, unknown>) => jobFactsFromSpec(spec, clock);

describe('planPlacement', () => {
  it('puts de-identified work on the cheapest GPU, PHI on the attested H100, and explains the others', () => {
    const deid = planPlacement(job({ classification: 'deidentified', gpu: { count: 1 } }), fleet(), [GOOD], policy, { now: clock.now() });
    expect(deid.chosen?.nodeName).toBe('rtx');
    expect(deid.chosen?.pricePerHourUsd).toBe(0.18);
    const phi = planPlacement(job({ classification: 'phi', gpu: { count: 1 } }), fleet(), [GOOD], policy, { now: clock.now() });
    expect(phi.chosen?.nodeName).toBe('h100');
    expect(phi.chosen?.pricePerHourUsd).toBe(2.2);
    const why = Object.fromEntries(phi.candidates.map((c) => [c.nodeName, c.reasons]));
    expect(why.rtx).toEqual(['phi-needs-gpu-cc-bound', 'phi-needs-verified-cpu-tee']);
    expect(why.a100).toEqual(['phi-needs-gpu-cc-bound']);
    // A CPU-only PHI job may use the TDX A100 machine (cheaper than the H100).
    expect(planPlacement(job({ classification: 'phi' }), fleet(), [GOOD], policy, { now: clock.now() }).chosen?.nodeName).toBe('a100');
    const eight = planPlacement(job({ classification: 'none', gpu: { count: 8 } }), fleet(), [GOOD], policy, { now: clock.now() });
    expect(eight.chosen).toMatchObject({ nodeName: 'a100x8', pricePerHourUsd: 11.92 });
  });

  it('refuses PHI where the BAA expired or the attestation is stale; honours budget, region and models', () => {
    const nodes = fleet().map((n) => ({ ...n, providerId: EXPIRED.id }));
    const expired = planPlacement(job({ classification: 'phi', gpu: { count: 1 } }), nodes, [EXPIRED], policy, { now: clock.now() });
    expect(expired.chosen).toBeUndefined();
    expect(expired.candidates.every((c) => c.reasons.includes('phi-needs-valid-baa'))).toBe(true);
    const stale = planPlacement(job({ classification: 'phi', gpu: { count: 1 } }), fleet(), [GOOD], policy, { now: new Date(NOW + 25 * 3_600_000) });
    expect(stale.chosen).toBeUndefined();
    const budget = planPlacement(job({ classification: 'phi', gpu: { count: 1 }, budgetPerHourUsd: 2 }), fleet(), [GOOD], policy, { now: clock.now() });
    expect(budget.chosen).toBeUndefined();
    expect(budget.candidates.find((c) => c.nodeName === 'h100')?.reasons).toEqual(['over-budget']);
    const region = planPlacement(job({ classification: 'none', regions: ['eu-west'] }), fleet(), [GOOD], policy, { now: clock.now() });
    expect(region.candidates.every((c) => c.reasons.includes('region-not-allowed'))).toBe(true);
    const model = planPlacement(job({ classification: 'none', gpu: { count: 1, models: ['h100'] } }), fleet(), [GOOD], policy, { now: clock.now(), priceList: { h100: 1 } });
    expect(model.chosen).toMatchObject({ nodeName: 'h100', pricePerHourUsd: 1 });
  });

  it('property: a PHI job only ever lands on a fresh-attested TEE with a BAA in force (and a bound CC GPU if it uses one), at the lowest qualifying price', () => {
    const nodeArb = fc.record({
      model: fc.constantFrom('rtx-4090', 'a100-80gb', 'h100'),
      count: fc.constantFrom(0, 1, 8),
      cpuTee: fc.subarray(['sev-snp', 'tdx'] as const),
      gpuCc: fc.subarray(['hopper'] as const),
      att: fc.option(fc.record({ cpuTee: fc.constantFrom('sev-snp', 'tdx', 'none' as const), gpuCc: fc.boolean(), gpuBound: fc.boolean(), ageH: fc.integer({ min: -1, max: 48 }) })),
      disk: fc.boolean(),
      enabled: fc.boolean(),
      provider: fc.constantFrom(GOOD, EXPIRED),
      price: fc.option(fc.integer({ min: 0, max: 2000 }).map((c) => c / 100)),
    });
    fc.assert(
      fc.property(fc.array(nodeArb, { maxLength: 8 }), fc.constantFrom('phi', 'deidentified', 'none'), fc.constantFrom(0, 1, 2), (specs, classification, gpuCount) => {
        const nodes = specs.map((s) =>
          node({
            gpu: { model: s.model, count: s.count, memoryGiB: 80 }, cpuTee: s.cpuTee, gpuCc: s.gpuCc, diskEncryption: s.disk, enabled: s.enabled, providerId: s.provider.id,
            ...(s.price === null ? {} : { pricePerHourUsd: s.price }),
            ...(s.att === null ? {} : { attestation: { cpuTee: s.att.cpuTee, gpuCc: s.att.gpuCc, gpuBound: s.att.gpuBound, evidenceHash: HASH, verifiedMs: NOW - s.att.ageH * 3_600_000 } }),
          }),
        );
        const plan = planPlacement(job({ classification, gpu: { count: gpuCount } }), nodes, [GOOD, EXPIRED], policy, { now: clock.now() });
        const chosen = plan.chosen;
        if (chosen === undefined) return;
        const n = nodes.find((x) => x.id === chosen.nodeId);
        if (n === undefined) throw new Error('chosen node not in fleet');
        expect(n.enabled).toBe(true);
        expect(n.gpu.count).toBeGreaterThanOrEqual(gpuCount);
        if (classification === 'phi') {
          const a = n.attestation;
          expect(a !== undefined && a.cpuTee !== 'none' && n.cpuTee.includes(a.cpuTee) && NOW - a.verifiedMs <= 24 * 3_600_000 && NOW >= a.verifiedMs).toBe(true);
          expect(baaInForce(n.providerId === GOOD.id ? GOOD.baa : EXPIRED.baa, clock.now())).toBe(true);
          expect(n.diskEncryption).toBe(true);
          if (gpuCount > 0) expect(a?.gpuCc === true && a.gpuBound && n.gpuCc.length > 0).toBe(true);
        }
        for (const c of plan.candidates) if (c.qualifies) expect(chosen.pricePerHourUsd ?? Infinity).toBeLessThanOrEqual(c.pricePerHourUsd ?? Infinity);
      }),
      { numRuns: 200 },
    );
  });
});

describe('Placer', () => {
  let close: (() => Promise<void>) | undefined;
  afterAll(async () => close?.());

  it('places from the catalog and records every decision as a job.place ledger event', async () => {
    const db = await openComputeDatabase({ kind: 'pglite' });
    close = () => db.close();
    const catalog = new SqlComputeCatalog(db, clock);
    const p = await catalog.addProvider({ name: 'cloud', regions: ['us-east'], contacts: [], baa: GOOD.baa });
    const h100 = await catalog.addNode({ providerId: p.id, name: 'h100', region: 'us-east', gpu: { model: 'h100', count: 1, memoryGiB: 80 }, memoryGiB: 200, cpuTee: ['sev-snp'], gpuCc: ['hopper'], diskEncryption: true });
    await catalog.addNode({ providerId: p.id, name: 'rtx', region: 'us-east', gpu: { model: 'rtx-4090', count: 1, memoryGiB: 24 }, memoryGiB: 64, cpuTee: [], gpuCc: [], diskEncryption: true });
    const audit = new MemoryAuditRecorder();
    const placer = new Placer({ catalog, policy, audit, clock });
    const phi = job({ classification: 'phi', gpu: { count: 1 } });
    expect((await placer.place(phi)).chosen).toBeUndefined();
    await catalog.recordAttestation(h100.id, { cpuTee: 'sev-snp', gpuCc: true, gpuBound: true, evidenceHash: HASH, verifiedMs: NOW });
    expect((await placer.place(phi)).chosen?.nodeId).toBe(h100.id);
    expect(audit.events.map((e) => [e.action, e.outcome, e.reason])).toEqual([
      ['job.place', 'failure', 'no-qualifying-node'],
      ['job.place', 'success', undefined],
    ]);
    expect(audit.events[1]?.resources).toEqual([{ type: 'job', id: phi.id }, { type: 'node', id: h100.id }]);
    expect(audit.events[1]?.details).toMatchObject({ priceMicroUsdPerHour: 2_200_000, policyHash: policy.hash, qualifyingCount: 1, nodeCount: 2 });
  });

  it('refuses malformed job specs naming the field', () => {
    expect(() => job({ classification: 'secret' })).toThrow(expect.objectContaining({ code: 'invalid-input', place: { path: '$.classification' } }));
    expect(() => job({ classification: 'phi', gpu: { count: -1 } })).toThrow(expect.objectContaining({ place: { path: '$.gpu.count' } }));
  });
});
