import { describe, expect, it, vi } from 'vitest';
import { validateAuditEvent } from '@phiguard/audit';
import { allowsPhi, InsecureLocalAttestor } from './insecure-local.ts';
import { MemoryNonceStore } from './nonce-store.ts';
import { summarizeForAudit } from './summarize-for-audit.ts';
import { SnpVerifier } from './sev-snp/snp-verifier.ts';
import { vector, vectorText } from './testing/vectors.ts';

const keyHash = Buffer.alloc(32, 5);

describe('insecure-local attestor and allowsPhi', () => {
  it('verifies freshness and binding, says tee none, and PHI needs the loudly logged dev flag', async () => {
    const store = new MemoryNonceStore({ ttlMs: 10_000 });
    const attestor = new InsecureLocalAttestor({ nonceStore: store });
    const now = new Date('2026-01-01T00:00:00Z');
    const nonce = await store.issue(now);
    const result = await attestor.verify(
      InsecureLocalAttestor.evidence(nonce, keyHash),
      {},
      { now, expectedNonce: nonce, expectedKeyHash: keyHash },
    );
    expect(result).toMatchObject({ ok: true, claims: { tee: 'none', debug: true } });
    if (!result.ok) return;
    expect(allowsPhi(result.claims)).toEqual({ allowed: false, reason: 'no-tee' });
    expect(allowsPhi(result.claims, { devInsecureLocal: false })).toEqual({ allowed: false, reason: 'no-tee' });
    const warn = vi.fn();
    expect(allowsPhi(result.claims, { devInsecureLocal: true, warn })).toEqual({ allowed: true, insecure: true });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/INSECURE/);
    expect(() => allowsPhi(result.claims, { devInsecureLocal: true })).toThrow(TypeError);
    expect(
      await attestor.verify(InsecureLocalAttestor.evidence(nonce, keyHash), {}, { now, expectedNonce: nonce, expectedKeyHash: keyHash }),
    ).toMatchObject({ ok: false, reason: 'nonce-replayed' });
    expect(
      await attestor.verify(
        InsecureLocalAttestor.evidence(nonce, Buffer.alloc(32)),
        {},
        { now, expectedNonce: nonce, expectedKeyHash: keyHash },
      ),
    ).toMatchObject({ ok: false, reason: 'report-data-mismatch' });
  });

  it('a verified TEE without debug may receive PHI; the dev flag changes nothing for it', async () => {
    const bound = vectorText('sev-snp/teekit_sev-gcp-x25519-bound.txt');
    const nonce = Buffer.from(/NONCE=([0-9a-f]+)/.exec(bound)?.[1] ?? '', 'hex');
    const key = Buffer.from(/X25519_KEY=([0-9a-f]+)/.exec(bound)?.[1] ?? '', 'hex');
    const report = vector('sev-snp/teekit_sev-gcp-x25519-bound.bin');
    const result = await new SnpVerifier().verify(
      {
        report,
        vcek: vector('sev-snp/teekit_sev-gcp-x25519-vcek.pem'),
        certChain: vectorText('sev-snp/ask_ark_milan.pem'),
        crls: [vectorText('sev-snp/openpcc_amd_milan_crl.pem')],
      },
      {
        allowedMeasurements: [report.subarray(0x90, 0xc0).toString('hex')],
        minimumTcb: { bootloader: 4, tee: 0, snp: 27, microcode: 222 },
        maxVmpl: 1,
      },
      { now: new Date('2026-01-15T00:00:00Z'), expectedNonce: nonce, expectedKeyHash: key },
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const warn = vi.fn();
    expect(allowsPhi(result.claims, { devInsecureLocal: true, warn })).toEqual({ allowed: true, insecure: false });
    expect(warn).not.toHaveBeenCalled();
    expect(allowsPhi({ ...result.claims, debug: true })).toEqual({ allowed: false, reason: 'debug-enabled' });

    const details = summarizeForAudit(result);
    expect(details).toMatchObject({
      tee: 'sev-snp',
      attestation: 'accepted',
      tcbBootloader: 4,
      tcbSnp: 27,
      tcbMicrocode: 222,
      debug: false,
    });
    expect(() =>
      validateAuditEvent({ actor: { kind: 'system', id: 'attestation' }, action: 'attestation.verify', outcome: 'success', details }),
    ).not.toThrow();
    const refused = await new SnpVerifier().verify(
      { report, vcek: vector('sev-snp/teekit_sev-gcp-x25519-vcek.pem'), certChain: vectorText('sev-snp/ask_ark_milan.pem') },
      { allowedMeasurements: [], minimumTcb: { bootloader: 0, tee: 0, snp: 0, microcode: 0 } },
      { now: new Date('2026-01-15T00:00:00Z'), expectedNonce: nonce, expectedKeyHash: key },
    );
    const refusedDetails = summarizeForAudit(refused);
    expect(refusedDetails).toEqual({
      tee: 'sev-snp',
      evidenceHash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) as unknown,
      attestation: 'refused',
      reason: 'crl-missing',
    });
    expect(() =>
      validateAuditEvent({
        actor: { kind: 'system', id: 'attestation' },
        action: 'attestation.verify',
        outcome: 'denied',
        reason: 'crl-missing',
        details: refusedDetails,
      }),
    ).not.toThrow();
  });
});
