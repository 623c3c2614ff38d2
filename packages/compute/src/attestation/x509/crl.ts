import { children, derTime, element, expectTag, integerHex, readRoot, TAG, type Tlv, bitStringBytes } from './der.ts';
import { signatureAlgorithm, toDer, type SignatureAlgorithm } from './certificate.ts';
import { ComputeError } from '../../compute-error.ts';

/** A parsed X.509 CRL (RFC 5280 §5.1). */
export interface Crl {
  readonly tbs: Uint8Array;
  readonly signatureAlgorithm: SignatureAlgorithm;
  readonly signature: Uint8Array;
  readonly issuer: Uint8Array;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date | undefined;
  /** Revoked serial numbers, hex without leading zero octets. */
  readonly revoked: ReadonlySet<string>;
}

/** Parses a CRL from DER or PEM. Throws {@link ComputeError} `der-malformed`. */
export function parseCrl(input: Uint8Array | string): Crl {
  const der = toDer(input);
  try {
    const [tbsTlv, algTlv, sigTlv] = children(expectTag(readRoot(der), TAG.SEQUENCE, 'certificateList'));
    const f = children(expectTag(tbsTlv, TAG.SEQUENCE, 'tbsCertList'));
    let i = f[0]?.tag === TAG.INTEGER ? 1 : 0; // version
    i += 1; // signature AlgorithmIdentifier
    const issuer = element(expectTag(f[i], TAG.SEQUENCE, 'issuer'));
    const thisUpdate = derTime(f[i + 1] as Tlv);
    let j = i + 2;
    let nextUpdate: Date | undefined;
    const maybeNext = f[j];
    if (maybeNext !== undefined && (maybeNext.tag === TAG.UTC_TIME || maybeNext.tag === TAG.GENERALIZED_TIME)) {
      nextUpdate = derTime(maybeNext);
      j += 1;
    }
    const revoked = new Set<string>();
    const list = f[j];
    if (list?.tag === TAG.SEQUENCE) {
      for (const entry of children(list))
        revoked.add(integerHex(expectTag(children(expectTag(entry, TAG.SEQUENCE, 'revoked entry'))[0], TAG.INTEGER, 'serial')));
    }
    return Object.freeze({
      tbs: element(tbsTlv as Tlv),
      signatureAlgorithm: signatureAlgorithm(algTlv as Tlv),
      signature: bitStringBytes(sigTlv as Tlv),
      issuer,
      thisUpdate,
      nextUpdate,
      revoked,
    });
  } catch (error) {
    if (error instanceof ComputeError) throw error;
    throw new ComputeError('der-malformed', 'CRL could not be read', { place: { field: 'crl' }, cause: error });
  }
}
