import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { bitStringBytes, children, derTime, element, expectTag, integerHex, oidText, readRoot, TAG, value, type Tlv } from './der.ts';
import { ComputeError } from '../../compute-error.ts';

/** Signature algorithm of a certificate or CRL (RFC 5280 §4.1.1.2, RFC 4055 §3.1, RFC 5758 §3.2). */
export type SignatureAlgorithm =
  | { readonly kind: 'ecdsa'; readonly hash: 'sha256' | 'sha384' }
  | { readonly kind: 'rsa-pss'; readonly hash: 'sha256' | 'sha384' | 'sha512'; readonly saltLength: number };

/** A parsed X.509 certificate: the bytes needed to verify it and the fields verifiers read. */
export interface Certificate {
  readonly der: Uint8Array;
  readonly tbs: Uint8Array;
  readonly signatureAlgorithm: SignatureAlgorithm;
  readonly signature: Uint8Array;
  /** Serial number, hex without leading zero octets. */
  readonly serial: string;
  readonly issuer: Uint8Array;
  readonly subject: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly publicKey: KeyObject;
  /** Extension values (the OCTET STRING contents) by dotted OID. */
  readonly extensions: ReadonlyMap<string, Uint8Array>;
  /** `sha256:` + hex of the DER. */
  readonly fingerprint: string;
}

const HASH_OIDS: Readonly<Record<string, 'sha256' | 'sha384' | 'sha512'>> = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/** AlgorithmIdentifier → {@link SignatureAlgorithm}; unknown algorithms are refused (fail closed). */
export function signatureAlgorithm(alg: Tlv): SignatureAlgorithm {
  const [oid, params] = children(expectTag(alg, TAG.SEQUENCE, 'algorithm identifier'));
  const id = oidText(expectTag(oid, TAG.OID, 'algorithm'));
  if (id === '1.2.840.10045.4.3.2') return { kind: 'ecdsa', hash: 'sha256' };
  if (id === '1.2.840.10045.4.3.3') return { kind: 'ecdsa', hash: 'sha384' };
  if (id === '1.2.840.113549.1.1.10') {
    // RSASSA-PSS-params (RFC 4055 §3.1): [0] hashAlgorithm, [1] maskGenAlgorithm, [2] saltLength.
    let hash: 'sha256' | 'sha384' | 'sha512' | undefined;
    let saltLength = 20;
    let mgfHash: string | undefined;
    for (const field of children(expectTag(params, TAG.SEQUENCE, 'pss parameters'))) {
      const inner = children(field)[0];
      if (field.tag === 0xa0) hash = HASH_OIDS[oidText(children(expectTag(inner, TAG.SEQUENCE, 'hash'))[0] as Tlv)];
      else if (field.tag === 0xa1) {
        const mgf = children(expectTag(inner, TAG.SEQUENCE, 'mgf'));
        if (oidText(mgf[0] as Tlv) !== '1.2.840.113549.1.1.8') break;
        mgfHash = HASH_OIDS[oidText(children(expectTag(mgf[1], TAG.SEQUENCE, 'mgf hash'))[0] as Tlv)];
      } else if (field.tag === 0xa2) {
        const v = value(expectTag(inner, TAG.INTEGER, 'salt length'));
        saltLength = v.length === 1 ? (v[0] as number) : -1;
      }
    }
    if (hash !== undefined && mgfHash === hash && saltLength > 0) return { kind: 'rsa-pss', hash, saltLength };
  }
  throw new ComputeError('der-malformed', 'unsupported signature algorithm', { place: { field: 'signatureAlgorithm' } });
}

const PEM_START = Buffer.from('-----BEGIN ');

/** Accepts DER bytes, or one PEM block as text or as bytes. */
export function toDer(input: Uint8Array | string): Uint8Array {
  if (typeof input !== 'string' && !Buffer.from(input.subarray(0, PEM_START.length)).equals(PEM_START)) return input;
  const blocks = pemBlocks(typeof input === 'string' ? input : Buffer.from(input).toString('latin1'));
  if (blocks.length !== 1) throw new ComputeError('der-malformed', 'expected exactly one PEM block', { place: { field: 'pem' } });
  return blocks[0] as Uint8Array;
}

/** Every `-----BEGIN …-----` block of a PEM text, decoded, in order. */
export function pemBlocks(text: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const m of text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g)) {
    const b64 = (m[2] ?? '').replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw new ComputeError('der-malformed', 'bad base64 in PEM', { place: { field: 'pem' } });
    out.push(new Uint8Array(Buffer.from(b64, 'base64')));
  }
  return out;
}

/** Parses an X.509 v3 certificate (RFC 5280 §4.1). Throws {@link ComputeError} on malformed input. */
export function parseCertificate(input: Uint8Array | string): Certificate {
  const der = toDer(input);
  try {
    const [tbsTlv, algTlv, sigTlv, ...rest] = children(expectTag(readRoot(der), TAG.SEQUENCE, 'certificate'));
    if (rest.length !== 0) throw new ComputeError('der-malformed', 'extra certificate fields', { place: { field: 'certificate' } });
    const tbsFields = children(expectTag(tbsTlv, TAG.SEQUENCE, 'tbsCertificate'));
    let i = 0;
    if (tbsFields[0]?.tag === 0xa0) i = 1; // [0] version
    const serial = integerHex(expectTag(tbsFields[i], TAG.INTEGER, 'serial'));
    const innerAlg = expectTag(tbsFields[i + 1], TAG.SEQUENCE, 'signature');
    const issuer = element(expectTag(tbsFields[i + 2], TAG.SEQUENCE, 'issuer'));
    const [nb, na] = children(expectTag(tbsFields[i + 3], TAG.SEQUENCE, 'validity'));
    const subject = element(expectTag(tbsFields[i + 4], TAG.SEQUENCE, 'subject'));
    const spki = element(expectTag(tbsFields[i + 5], TAG.SEQUENCE, 'subjectPublicKeyInfo'));
    const extensions = new Map<string, Uint8Array>();
    for (const field of tbsFields.slice(i + 6)) {
      if (field.tag !== 0xa3) continue;
      for (const ext of children(expectTag(children(field)[0], TAG.SEQUENCE, 'extensions'))) {
        const parts = children(expectTag(ext, TAG.SEQUENCE, 'extension'));
        const id = oidText(parts[0] as Tlv);
        const val = parts[parts.length - 1] as Tlv;
        if (extensions.has(id)) throw new ComputeError('der-malformed', 'duplicate extension', { place: { field: id } });
        extensions.set(id, value(expectTag(val, TAG.OCTET_STRING, 'extension value')));
      }
    }
    const signatureAlg = signatureAlgorithm(algTlv as Tlv);
    if (Buffer.compare(element(innerAlg), element(algTlv as Tlv)) !== 0) {
      throw new ComputeError('der-malformed', 'inner and outer signature algorithms differ', { place: { field: 'signature' } });
    }
    return Object.freeze({
      der,
      tbs: element(tbsTlv as Tlv),
      signatureAlgorithm: signatureAlg,
      signature: bitStringBytes(sigTlv as Tlv),
      serial,
      issuer,
      subject,
      notBefore: derTime(nb as Tlv),
      notAfter: derTime(na as Tlv),
      publicKey: createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }),
      extensions,
      fingerprint: `sha256:${createHash('sha256').update(der).digest('hex')}`,
    });
  } catch (error) {
    if (error instanceof ComputeError) throw error;
    throw new ComputeError('der-malformed', 'certificate could not be read', { place: { field: 'certificate' }, cause: error });
  }
}
