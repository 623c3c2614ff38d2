import { constants, verify, type KeyObject } from 'node:crypto';
import type { SignatureAlgorithm } from './certificate.ts';

/**
 * Verifies an X.509/CRL signature (`signed` = the tbs bytes) with the issuer's key. ECDSA
 * signatures are DER `Ecdsa-Sig-Value` (RFC 5758 §3.2); RSASSA-PSS uses the parameters from the
 * algorithm identifier (RFC 4055 §3.1; AMD KDS: SHA-384, MGF1-SHA-384, salt 48). Never throws.
 */
export function verifySigned(signed: Uint8Array, alg: SignatureAlgorithm, signature: Uint8Array, issuerKey: KeyObject): boolean {
  try {
    if (alg.kind === 'ecdsa') {
      if (issuerKey.asymmetricKeyType !== 'ec') return false;
      return verify(alg.hash, signed, { key: issuerKey, dsaEncoding: 'der' }, signature);
    }
    if (issuerKey.asymmetricKeyType !== 'rsa' && issuerKey.asymmetricKeyType !== 'rsa-pss') return false;
    return verify(alg.hash, signed, { key: issuerKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: alg.saltLength }, signature);
  } catch {
    return false;
  }
}
