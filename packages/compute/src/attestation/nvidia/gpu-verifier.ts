import { createHash, verify } from 'node:crypto';
import { checkContext, refuse, type EvidenceVerifier, type VerifyContext, type VerifyResult } from '../attestation-result.ts';
import type { NonceStore } from '../nonce-store.ts';
import { sameBytes } from '../report-data-binding.ts';
import { evidenceHashOf, runVerification } from '../run-verification.ts';
import { parseCertificate, pemBlocks, type Certificate } from '../x509/certificate.ts';
import { verifyChain } from '../x509/verify-chain.ts';
import { NVIDIA_DEVICE_ROOT_FINGERPRINTS } from './nvidia-roots.ts';
import { parseRim, rimMismatches, type Rim } from './rim.ts';
import { NV_OPAQUE, parseSpdmReport, type SpdmReport } from './spdm-measurements.ts';

export interface GpuEvidence {
  /** The attestation report bytes (SPDM request ‖ response). */
  readonly report: Uint8Array;
  /** PEM device chain, leaf ("GSP FMC LF") first, NVIDIA Device Identity CA last. */
  readonly certChain: string;
}

export interface GpuPolicy {
  /** Reference values: RIM swidtag XML texts (driver and VBIOS) from a trusted channel. */
  readonly rims: readonly string[];
  /** Default: the NVIDIA Device Identity CA. */
  readonly trustedRoots?: ReadonlySet<string>;
}

/** TCG DICE TcbInfo (2.23.133.5.4.1; Blackwell leaves use 2.23.133.5.4.1.1) carries the FWID the opaque data reports. */
const DICE_TCB_INFO = ['2.23.133.5.4.1', '2.23.133.5.4.1.1'] as const;

/** The 32-byte SPDM request nonce that binds a GPU report: SHA-256(nonce ‖ keyHash) (docs/compute/attestation.md). */
export function gpuNonce(nonce: Uint8Array, keyHash: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(nonce).update(keyHash).digest());
}

export interface GpuAppraisal {
  readonly report: SpdmReport;
  readonly driverVersion: string | undefined;
  readonly vbiosVersion: string | undefined;
}

function text(bytes: Uint8Array | undefined): string | undefined {
  return bytes === undefined ? undefined : Buffer.from(bytes).toString('latin1').replace(/\0+$/, '');
}

/** VBIOS version as NVIDIA prints it: bytes [3,2,1,0,4] of the 8-byte opaque value, e.g. 96.00.9F.00.01. */
function vbios(bytes: Uint8Array | undefined): string | undefined {
  if (bytes?.length !== 8) return undefined;
  return [bytes[3], bytes[2], bytes[1], bytes[0], bytes[4]].map((b) => (b as number).toString(16).padStart(2, '0').toUpperCase()).join('.');
}

/**
 * Everything but the nonce: report layout, device chain to the pinned NVIDIA root (no expiry
 * in these chains; revocation needs NVIDIA OCSP and is not checked), ECDSA P-384 signature by the
 * leaf over request ‖ response, leaf FWID = opaque FWID, and every active RIM measurement.
 */
export function appraiseGpuReport(evidence: GpuEvidence, policy: GpuPolicy, now: Date): GpuAppraisal {
  const report = parseSpdmReport(evidence.report);
  const chain = pemBlocks(evidence.certChain).map((d) => parseCertificate(d));
  verifyChain(chain, { now, trustedRoots: policy.trustedRoots ?? NVIDIA_DEVICE_ROOT_FINGERPRINTS, crls: [], requireCrls: 'none' });
  const leaf = chain[0] as Certificate;
  let ok = false;
  try {
    ok = verify('sha384', report.signedBytes, { key: leaf.publicKey, dsaEncoding: 'ieee-p1363' }, report.signature);
  } catch {
    ok = false;
  }
  if (!ok) refuse('signature-invalid', 'report signature does not verify with the device leaf');
  const fwid = report.opaque.get(NV_OPAQUE.FWID);
  const dice = DICE_TCB_INFO.map((oid) => leaf.extensions.get(oid)).find((v) => v !== undefined);
  if (fwid === undefined || fwid.length < 32 || dice === undefined || Buffer.from(dice).indexOf(Buffer.from(fwid)) < 0) {
    refuse('cert-mismatch', 'device leaf FWID differs from the report');
  }
  if (policy.rims.length === 0) refuse('rim-mismatch', 'no reference values (RIMs) were given');
  const rims: Rim[] = policy.rims.map((x) => parseRim(x));
  for (const rim of rims) {
    const bad = rimMismatches(rim, report.measurements);
    if (bad.length > 0) refuse('rim-mismatch', `measurement indices ${bad.join(',')} differ from the RIM`);
  }
  return {
    report,
    driverVersion: text(report.opaque.get(NV_OPAQUE.DRIVER_VERSION)),
    vbiosVersion: vbios(report.opaque.get(NV_OPAQUE.VBIOS_VERSION)),
  };
}

/** NVIDIA Hopper/Blackwell confidential-computing GPU verifier (local SPDM evidence). */
export class GpuVerifier implements EvidenceVerifier<GpuEvidence, GpuPolicy> {
  readonly tee = 'nvidia-gpu' as const;
  readonly #nonceStore: NonceStore | undefined;

  constructor(options: { readonly nonceStore?: NonceStore } = {}) {
    this.#nonceStore = options.nonceStore;
  }

  verify(evidence: GpuEvidence, policy: GpuPolicy, context: VerifyContext): Promise<VerifyResult> {
    checkContext(context);
    if (!(evidence.report instanceof Uint8Array) || typeof evidence.certChain !== 'string')
      throw new TypeError('evidence must have report bytes and a PEM chain');
    if (!Array.isArray(policy.rims)) throw new TypeError('policy.rims must be an array of RIM texts');
    return runVerification(this.tee, evidenceHashOf(evidence.report), context, this.#nonceStore, () => {
      const { report } = appraiseGpuReport(evidence, policy, context.now);
      if (!sameBytes(report.requestNonce, gpuNonce(context.expectedNonce, context.expectedKeyHash)))
        refuse('nonce-mismatch', 'SPDM request nonce is not SHA-256(nonce ‖ keyHash)');
      const all = createHash('sha384');
      for (const index of [...report.measurements.keys()].sort((a, b) => a - b)) all.update(report.measurements.get(index) as Uint8Array);
      return { measurement: all.digest('hex'), debug: false, tcb: {} };
    });
  }
}
