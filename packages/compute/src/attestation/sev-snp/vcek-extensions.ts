import { readRoot, smallUint, TAG, value } from '../x509/der.ts';
import type { Certificate } from '../x509/certificate.ts';

/** AMD VCEK/VLEK extensions (AMD "Versioned Chip Endorsement Key (VCEK) Certificate and KDS Interface Specification" §3.1, OIDs 1.3.6.1.4.1.3704.1.x). */
export interface VcekExtensions {
  readonly productName: string | undefined;
  readonly bootloader: number | undefined;
  readonly tee: number | undefined;
  readonly snp: number | undefined;
  readonly microcode: number | undefined;
  readonly fmc: number | undefined;
  /** hwID; absent in VLEKs. Both the raw and the OCTET STRING-wrapped KDS encodings are accepted. */
  readonly hwId: Uint8Array | undefined;
}

const AMD = '1.3.6.1.4.1.3704.1';

function int(cert: Certificate, oid: string): number | undefined {
  const v = cert.extensions.get(oid);
  return v === undefined ? undefined : smallUint(readRoot(v));
}

export function vcekExtensions(cert: Certificate): VcekExtensions {
  const name = cert.extensions.get(`${AMD}.2`);
  let productName: string | undefined;
  if (name !== undefined) {
    const tlv = readRoot(name);
    productName =
      tlv.tag === TAG.IA5 || tlv.tag === TAG.UTF8 || tlv.tag === TAG.PRINTABLE ? Buffer.from(value(tlv)).toString('latin1') : undefined;
  }
  let hwId = cert.extensions.get(`${AMD}.4`);
  if (hwId !== undefined && hwId.length >= 2 && hwId[0] === TAG.OCTET_STRING) {
    try {
      const inner = readRoot(hwId);
      hwId = value(inner);
    } catch {
      // raw 64-byte hwID that happens to start with 0x04: keep as is
    }
  }
  return {
    productName,
    bootloader: int(cert, `${AMD}.3.1`),
    tee: int(cert, `${AMD}.3.2`),
    snp: int(cert, `${AMD}.3.3`),
    microcode: int(cert, `${AMD}.3.8`),
    fmc: int(cert, `${AMD}.3.9`),
    hwId,
  };
}
