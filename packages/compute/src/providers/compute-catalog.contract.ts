import { ManualClock } from '@phiguard/core';
import { MemoryAuditRecorder } from '@phiguard/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { ComputeError } from '../compute-error.ts';
import type { NewNode, NewProvider } from './catalog-types.ts';
import type { ComputeCatalog } from './compute-catalog.ts';

export interface CatalogFixture {
  readonly catalog: ComputeCatalog;
  close(): Promise<void>;
}

export const SAMPLE_PROVIDER: NewProvider = {
  name: 'gpu-cloud',
  regions: ['us-east', 'eu-west'],
  contacts: [{ role: 'privacy-officer', email: 'privacy@gpu-cloud.example' }],
  baa: { status: 'signed', effectiveOn: '2026-01-01', expiresOn: '2027-01-01' },
};

export const sampleNode = (providerId: string, name = 'h100-a'): NewNode => ({
  providerId,
  name,
  region: 'us-east',
  gpu: { model: 'h100', count: 1, memoryGiB: 80 },
  memoryGiB: 256,
  cpuTee: ['sev-snp'],
  gpuCc: ['hopper'],
  diskEncryption: true,
});

/** The same contract for every {@link ComputeCatalog} backend (ARCHITECTURE §3.8). */
export function describeComputeCatalogContract(backend: string, open: (clock: ManualClock, audit: MemoryAuditRecorder) => Promise<CatalogFixture>): void {
  describe(`ComputeCatalog contract (${backend})`, () => {
    let fixture: CatalogFixture | undefined;
    let audit = new MemoryAuditRecorder();
    const start = async (): Promise<ComputeCatalog> => {
      audit = new MemoryAuditRecorder();
      fixture = await open(new ManualClock(Date.parse('2026-11-24T00:00:00Z')), audit);
      return fixture.catalog;
    };
    afterEach(async () => {
      await fixture?.close();
      fixture = undefined;
    });

    it('adds, gets (by id or name) and lists providers and nodes; records are frozen', async () => {
      const catalog = await start();
      const p = await catalog.addProvider(SAMPLE_PROVIDER);
      expect(p.id).toMatch(/^prov_/);
      expect(Object.isFrozen(p.baa)).toBe(true);
      expect(await catalog.getProvider(p.id)).toEqual(p);
      expect(await catalog.getProvider('gpu-cloud')).toEqual(p);
      const n1 = await catalog.addNode(sampleNode(p.id, 'h100-b'));
      const n2 = await catalog.addNode({ ...sampleNode('gpu-cloud', 'a100-a'), gpu: { model: 'a100-80gb', count: 8, memoryGiB: 80 }, pricePerHourUsd: 10 });
      expect(n2.providerId).toBe(p.id);
      expect(n1.enabled).toBe(true);
      expect((await catalog.listNodes()).map((n) => n.name)).toEqual(['a100-a', 'h100-b']);
      expect(await catalog.getNode(n1.id)).toEqual(n1);
      expect(await catalog.getNode('nope')).toBeUndefined();
      expect(await catalog.listProviders()).toEqual([p]);
    });

    it('refuses duplicates (conflict), unknown providers (not-found) and bad input (invalid-input naming the field)', async () => {
      const catalog = await start();
      const p = await catalog.addProvider(SAMPLE_PROVIDER);
      await expect(catalog.addProvider(SAMPLE_PROVIDER)).rejects.toMatchObject({ code: 'conflict' });
      await catalog.addNode(sampleNode(p.id));
      await expect(catalog.addNode(sampleNode(p.id))).rejects.toMatchObject({ code: 'conflict' });
      await expect(catalog.addNode(sampleNode('prov_unknown'))).rejects.toMatchObject({ code: 'not-found' });
      const bad = await catalog.addNode({ ...sampleNode(p.id, 'x'), cpuTee: ['sgx' as 'tdx'] }).catch((e: unknown) => e);
      expect(bad).toBeInstanceOf(ComputeError);
      expect(bad).toMatchObject({ code: 'invalid-input', place: { path: '$.cpuTee' } });
      await expect(catalog.addProvider({ ...SAMPLE_PROVIDER, name: 'other', baa: { status: 'signed', effectiveOn: '2026-02-30' } })).rejects.toMatchObject({
        code: 'invalid-input',
        place: { path: '$.baa.effectiveOn' },
      });
      await expect(catalog.setBaa('prov_unknown', { status: 'none' })).rejects.toMatchObject({ code: 'not-found' });
    });

    it('updates BAA, price, enabled and attestation', async () => {
      const catalog = await start();
      const p = await catalog.addProvider(SAMPLE_PROVIDER);
      const n = await catalog.addNode(sampleNode(p.id));
      expect((await catalog.setBaa(p.id, { status: 'terminated' })).baa).toEqual({ status: 'terminated' });
      expect((await catalog.getProvider(p.id))?.baa.status).toBe('terminated');
      expect((await catalog.setNodePrice(n.id, 1.99)).pricePerHourUsd).toBe(1.99);
      expect((await catalog.setNodePrice(n.id, undefined)).pricePerHourUsd).toBeUndefined();
      expect((await catalog.setNodeEnabled(n.name, false)).enabled).toBe(false);
      const attestation = { cpuTee: 'sev-snp' as const, gpuCc: true, gpuBound: true, evidenceHash: `sha256:${'0'.repeat(64)}`, verifiedMs: 5 };
      expect((await catalog.recordAttestation(n.id, attestation)).attestation).toEqual(attestation);
      expect((await catalog.getNode(n.id))?.attestation).toEqual(attestation);
      await expect(catalog.recordAttestation(n.id, { ...attestation, evidenceHash: 'x' })).rejects.toMatchObject({ code: 'invalid-input' });
      await expect(catalog.setNodePrice('node_missing', 1)).rejects.toMatchObject({ code: 'not-found' });
      // Every change is a ledger event, with ids and codes only (no contact address).
      expect(audit.events.map((e) => e.action)).toEqual(['provider.add', 'node.add', 'provider.baa', 'node.price', 'node.price', 'node.enable', 'node.attest']);
      expect(audit.events[2]?.details).toEqual({ baaStatus: 'terminated' });
      expect(JSON.stringify(audit.events)).not.toContain('privacy@gpu-cloud.example');
    });
  });
}
