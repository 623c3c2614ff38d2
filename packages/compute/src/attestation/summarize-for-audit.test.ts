import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateAuditEvent } from '@phiguard/audit';
import { REFUSAL_REASONS, TEE_KINDS, type VerifyResult } from './attestation-result.ts';
import { summarizeForAudit } from './summarize-for-audit.ts';

const hash = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => `sha256:${Buffer.from(b).toString('hex')}`);

describe('summarizeForAudit', () => {
  it('property: every result (any TEE, any reason, any claims) gives details the ledger schema accepts', () => {
    const refused = fc.record({
      ok: fc.constant(false as const),
      reason: fc.constantFrom(...REFUSAL_REASONS),
      detail: fc.string(),
      evidenceHash: hash,
      tee: fc.constantFrom(...TEE_KINDS),
    });
    const accepted = fc.record({
      ok: fc.constant(true as const),
      claims: fc.record({
        tee: fc.constantFrom(...TEE_KINDS),
        evidenceHash: hash,
        measurement: fc.string({ maxLength: 200 }),
        debug: fc.boolean(),
        tcb: fc.dictionary(
          fc.constantFrom('bootloader', 'tee', 'snp', 'microcode', 'fmc', 'teeTcbSvn0', 'teeTcbSvn15'),
          fc.nat({ max: 255 }),
        ),
        tcbStatus: fc.constantFrom('UpToDate', 'OutOfDate', 'SWHardeningNeeded', 'ConfigurationAndSWHardeningNeeded'),
        nonce: fc.string(),
        keyHash: fc.string(),
      }),
    });
    fc.assert(
      fc.property(fc.oneof(refused, accepted), (result: VerifyResult) => {
        const details = summarizeForAudit(result);
        expect(() =>
          validateAuditEvent({
            actor: { kind: 'system', id: 'attestation' },
            action: 'attestation.verify',
            outcome: result.ok ? 'success' : 'denied',
            details,
          }),
        ).not.toThrow();
        // The free-text detail, the nonce and the key hash never reach the ledger.
        const text = JSON.stringify(details);
        if (!result.ok && result.detail.length > 3) expect(text).not.toContain(JSON.stringify(result.detail));
        if (result.ok && result.claims.nonce.length > 3) expect(text).not.toContain(JSON.stringify(result.claims.nonce));
      }),
      { numRuns: 200 },
    );
  });
});
