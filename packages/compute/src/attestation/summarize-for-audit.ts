import { createHash } from 'node:crypto';
import type { AuditDetails } from '@phiguard/audit';
import type { VerifyResult } from './attestation-result.ts';

/**
 * PHI-free `details` for the ledger entry of one verification (they pass `validateAuditEvent`):
 * the evidence hash, the TEE kind, accepted or the refusal code, TCB numbers and status, and a
 * SHA-256 of the measurement. Attestation evidence holds no PHI; the nonce and key hash are left
 * out because the key release entry carries them.
 */
export function summarizeForAudit(result: VerifyResult): AuditDetails {
  if (!result.ok) return { tee: result.tee, evidenceHash: result.evidenceHash, attestation: 'refused', reason: result.reason };
  const c = result.claims;
  const details: Record<string, string | number | boolean> = {
    tee: c.tee,
    evidenceHash: c.evidenceHash,
    attestation: 'accepted',
    debug: c.debug,
    measurementHash: `sha256:${createHash('sha256').update(c.measurement).digest('hex')}`,
  };
  if (c.tcbStatus !== undefined) details.tcbStatus = c.tcbStatus.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  for (const [name, value] of Object.entries(c.tcb).slice(0, 20)) {
    const key = `tcb${name.charAt(0).toUpperCase()}${name.slice(1)}`.replace(/[^a-zA-Z0-9_]/g, '');
    details[key] = value;
  }
  return Object.freeze(details);
}
