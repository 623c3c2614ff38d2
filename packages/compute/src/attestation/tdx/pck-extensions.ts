import { children, expectTag, oidText, readRoot, smallUint, TAG, value, type Tlv } from '../x509/der.ts';
import type { Certificate } from '../x509/certificate.ts';
import { ComputeError } from '../../compute-error.ts';

/** SGX PCK certificate extensions (Intel "SGX PCK Certificate and CRL Profile" §1.3.5, OID 1.2.840.113741.1.13.1). */
export interface PckExtensions {
  /** CPUSVN components 1..16. */
  readonly sgxTcbComponents: readonly number[];
  readonly pceSvn: number;
  readonly fmspc: string;
  readonly pceId: string;
}

const SGX = '1.2.840.113741.1.13.1';

export function pckExtensions(cert: Certificate): PckExtensions {
  const ext = cert.extensions.get(SGX);
  if (ext === undefined) throw new ComputeError('evidence-malformed', 'PCK certificate has no SGX extension', { place: { field: SGX } });
  const fields = new Map<string, Tlv>();
  for (const entry of children(expectTag(readRoot(ext), TAG.SEQUENCE, 'SGX extensions'))) {
    const [oid, val] = children(expectTag(entry, TAG.SEQUENCE, 'SGX extension'));
    fields.set(oidText(oid as Tlv), val as Tlv);
  }
  const tcb = fields.get(`${SGX}.2`);
  const fmspc = fields.get(`${SGX}.4`);
  const pceId = fields.get(`${SGX}.3`);
  if (tcb === undefined || fmspc === undefined || pceId === undefined)
    throw new ComputeError('evidence-malformed', 'PCK SGX extension lacks TCB, FMSPC or PCE-ID', { place: { field: SGX } });
  const comps = new Array<number>(16).fill(-1);
  let pceSvn = -1;
  for (const entry of children(expectTag(tcb, TAG.SEQUENCE, 'TCB'))) {
    const [oid, val] = children(expectTag(entry, TAG.SEQUENCE, 'TCB component'));
    const id = oidText(oid as Tlv);
    const m = new RegExp(`^${SGX.replaceAll('.', '\\.')}\\.2\\.(\\d+)$`).exec(id);
    const n = Number(m?.[1]);
    if (n >= 1 && n <= 16) comps[n - 1] = smallUint(val as Tlv);
    else if (n === 17) pceSvn = smallUint(val as Tlv);
  }
  if (comps.includes(-1) || pceSvn < 0)
    throw new ComputeError('evidence-malformed', 'PCK TCB is incomplete', { place: { field: `${SGX}.2` } });
  return {
    sgxTcbComponents: comps,
    pceSvn,
    fmspc: Buffer.from(value(expectTag(fmspc, TAG.OCTET_STRING, 'FMSPC'))).toString('hex'),
    pceId: Buffer.from(value(expectTag(pceId, TAG.OCTET_STRING, 'PCE-ID'))).toString('hex'),
  };
}
