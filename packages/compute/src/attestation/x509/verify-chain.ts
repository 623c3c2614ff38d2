import type { Certificate } from './certificate.ts';
import { children, readRoot, TAG, value } from './der.ts';
import type { Crl } from './crl.ts';
import { verifySigned } from './verify-signed.ts';
import { refuse } from '../attestation-result.ts';

/** Which certificate authorities of a chain must have a current CRL. */
export type CrlRequirement = 'every-ca' | 'root' | 'none';

export interface ChainOptions {
  readonly now: Date;
  /** Pinned `sha256:` fingerprints of acceptable roots (DER). */
  readonly trustedRoots: ReadonlySet<string>;
  readonly crls: readonly Crl[];
  readonly requireCrls: CrlRequirement;
}

/** basicConstraints (RFC 5280 §4.2.1.9) present with cA TRUE. */
function isCa(cert: Certificate): boolean {
  const ext = cert.extensions.get('2.5.29.19');
  if (ext === undefined) return false;
  try {
    const first = children(readRoot(ext))[0];
    return first?.tag === TAG.BOOLEAN && value(first)[0] === 0xff;
  } catch {
    return false;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

/**
 * Verifies `chain` (leaf first, root last) as RFC 5280 §6.1 does for the parts these PKIs use:
 * names chain, every issuer is a CA (basicConstraints cA; path lengths are not checked), each signature verifies with the next key, the root is self-signed and pinned by
 * fingerprint, every certificate is valid at `now`, and revocation by the CRLs given (each CRL's
 * signature and thisUpdate/nextUpdate window are checked; §6.3.3). Refuses through
 * {@link refuse} with `chain-invalid`, `root-untrusted`, `cert-expired`, `cert-revoked`,
 * `crl-missing`, `crl-invalid` or `crl-expired`.
 */
export function verifyChain(chain: readonly Certificate[], options: ChainOptions): void {
  if (chain.length < 2) refuse('chain-invalid', 'certificate chain needs a leaf and a root');
  const root = chain[chain.length - 1] as Certificate;
  if (!options.trustedRoots.has(root.fingerprint)) refuse('root-untrusted', 'chain does not end in a pinned root');
  if (!sameBytes(root.issuer, root.subject) || !verifySigned(root.tbs, root.signatureAlgorithm, root.signature, root.publicKey)) {
    refuse('chain-invalid', 'root is not self-signed');
  }
  for (const [i, cert] of chain.entries()) {
    const now = options.now.getTime();
    if (now < cert.notBefore.getTime() || now > cert.notAfter.getTime())
      refuse('cert-expired', `certificate ${String(i)} is not valid at the verification time`);
    if (i === chain.length - 1) break;
    const issuer = chain[i + 1] as Certificate;
    if (!isCa(issuer)) refuse('chain-invalid', `certificate ${String(i + 1)} is not a CA (basicConstraints)`);
    if (!sameBytes(cert.issuer, issuer.subject)) refuse('chain-invalid', `certificate ${String(i)} names another issuer`);
    if (!verifySigned(cert.tbs, cert.signatureAlgorithm, cert.signature, issuer.publicKey))
      refuse('chain-invalid', `certificate ${String(i)} signature does not verify`);
  }
  // Revocation (RFC 5280 §6.3): every CRL we were given must be genuine and current if it names a CA of the chain.
  for (const [i, ca] of chain.entries()) {
    if (i === 0) continue;
    const crls = options.crls.filter((crl) => sameBytes(crl.issuer, ca.subject));
    const required = options.requireCrls === 'every-ca' || (options.requireCrls === 'root' && i === chain.length - 1);
    if (crls.length === 0) {
      if (required) refuse('crl-missing', `no CRL for certificate authority ${String(i)}`);
      continue;
    }
    for (const crl of crls) {
      if (!verifySigned(crl.tbs, crl.signatureAlgorithm, crl.signature, ca.publicKey))
        refuse('crl-invalid', `CRL of certificate authority ${String(i)} does not verify`);
      const now = options.now.getTime();
      if (now < crl.thisUpdate.getTime() || (crl.nextUpdate !== undefined && now > crl.nextUpdate.getTime())) {
        refuse('crl-expired', `CRL of certificate authority ${String(i)} is not current at the verification time`);
      }
      const subject = chain[i - 1] as Certificate;
      if (crl.revoked.has(subject.serial)) refuse('cert-revoked', `certificate ${String(i - 1)} is revoked`);
    }
  }
}
