import { ComputeError } from '../../compute-error.ts';

/**
 * TDX quote v4/v5 (Intel TDX DCAP Quote Generation Library and Quote Verification Library API,
 * "Quote Format": header §A.3.1, TD quote body §A.3.2 (TD report 1.0, 584 bytes) and, in v5,
 * the typed body of §A.4 (type 2 = TD 1.0, type 3 = TD 1.5, 648 bytes), ECDSA signature data §A.3.8).
 */
export interface TdxQuote {
  readonly version: 4 | 5;
  readonly attestationKeyType: number;
  readonly teeType: number;
  readonly qeVendorId: Uint8Array;
  readonly bodyType: 2 | 3;
  readonly teeTcbSvn: Uint8Array;
  readonly mrSeam: Uint8Array;
  readonly mrSignerSeam: Uint8Array;
  readonly seamAttributes: Uint8Array;
  readonly tdAttributes: Uint8Array;
  /** TD_ATTRIBUTES bit 0 (TUD.DEBUG). */
  readonly debug: boolean;
  readonly xfam: Uint8Array;
  readonly mrTd: Uint8Array;
  readonly mrConfigId: Uint8Array;
  readonly mrOwner: Uint8Array;
  readonly mrOwnerConfig: Uint8Array;
  readonly rtmrs: readonly [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  readonly reportData: Uint8Array;
  /** TD 1.5 only. */
  readonly teeTcbSvn2: Uint8Array | undefined;
  readonly mrServiceTd: Uint8Array | undefined;
  /** Header and body: what the attestation key signs. */
  readonly signedBytes: Uint8Array;
  /** r ‖ s, 64 bytes (P-256). */
  readonly signature: Uint8Array;
  /** Uncompressed point without the 0x04 prefix: x ‖ y. */
  readonly attestationKey: Uint8Array;
  readonly qeReport: Uint8Array;
  readonly qeReportSignature: Uint8Array;
  readonly qeAuthData: Uint8Array;
  /** Certification data type 5 payload: the PCK chain (PEM text or concatenated DER). */
  readonly pckChain: Uint8Array;
}

/** Fields of the 384-byte SGX report body of the QE (SGX Developer Reference, REPORT_BODY). */
export interface QeReportBody {
  readonly miscselect: number;
  readonly attributes: Uint8Array;
  readonly mrEnclave: Uint8Array;
  readonly mrSigner: Uint8Array;
  readonly isvProdId: number;
  readonly isvSvn: number;
  readonly reportData: Uint8Array;
}

function malformed(what: string, index: number): never {
  throw new ComputeError('evidence-malformed', `malformed TDX quote: ${what}`, { place: { index } });
}

class Reader {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  pos = 0;
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.bytes.length) malformed(`${what} past end`, this.pos);
  }
  take(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = Uint8Array.from(this.bytes.subarray(this.pos, this.pos + n));
    this.pos += n;
    return out;
  }
  u16(what: string): number {
    this.need(2, what);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }
  u32(what: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
}

const TEE_TDX = 0x81;
const ECDSA_P256 = 2;

/** Parses a TDX quote (v4 or v5); zero padding after the signature data is allowed (8000-byte buffers). */
export function parseTdxQuote(bytes: Uint8Array): TdxQuote {
  const r = new Reader(bytes);
  const version = r.u16('version');
  if (version !== 4 && version !== 5) malformed('unsupported version', 0);
  const attestationKeyType = r.u16('attestation key type');
  const teeType = r.u32('tee type');
  if (teeType !== TEE_TDX) malformed('not a TDX quote', 4);
  if (attestationKeyType !== ECDSA_P256) malformed('attestation key is not ECDSA P-256', 2);
  r.take(4, 'reserved');
  const qeVendorId = r.take(16, 'QE vendor id');
  r.take(20, 'user data');
  let bodyType: 2 | 3 = 2;
  if (version === 5) {
    const type = r.u16('body type');
    const size = r.u32('body size');
    if (!((type === 2 && size === 584) || (type === 3 && size === 648))) malformed('unsupported body type', 48);
    bodyType = type === 3 ? 3 : 2;
  }
  const teeTcbSvn = r.take(16, 'TEE_TCB_SVN');
  const mrSeam = r.take(48, 'MRSEAM');
  const mrSignerSeam = r.take(48, 'MRSIGNERSEAM');
  const seamAttributes = r.take(8, 'SEAMATTRIBUTES');
  const tdAttributes = r.take(8, 'TDATTRIBUTES');
  const xfam = r.take(8, 'XFAM');
  const mrTd = r.take(48, 'MRTD');
  const mrConfigId = r.take(48, 'MRCONFIGID');
  const mrOwner = r.take(48, 'MROWNER');
  const mrOwnerConfig = r.take(48, 'MROWNERCONFIG');
  const rtmrs = [r.take(48, 'RTMR0'), r.take(48, 'RTMR1'), r.take(48, 'RTMR2'), r.take(48, 'RTMR3')] as const;
  const reportData = r.take(64, 'REPORTDATA');
  const teeTcbSvn2 = bodyType === 3 ? r.take(16, 'TEE_TCB_SVN2') : undefined;
  const mrServiceTd = bodyType === 3 ? r.take(48, 'MRSERVICETD') : undefined;
  const signedBytes = Uint8Array.from(bytes.subarray(0, r.pos));
  const sigLen = r.u32('signature data length');
  const sigEnd = r.pos + sigLen;
  r.need(sigLen, 'signature data');
  const signature = r.take(64, 'quote signature');
  const attestationKey = r.take(64, 'attestation key');
  const certType = r.u16('certification data type');
  const certSize = r.u32('certification data size');
  if (certType !== 6) malformed('certification data is not a QE report (type 6)', r.pos - 6);
  r.need(certSize, 'certification data');
  const qeReport = r.take(384, 'QE report');
  const qeReportSignature = r.take(64, 'QE report signature');
  const authSize = r.u16('QE auth data size');
  const qeAuthData = r.take(authSize, 'QE auth data');
  const innerType = r.u16('inner certification data type');
  const innerSize = r.u32('inner certification data size');
  if (innerType !== 5) malformed('inner certification data is not a PCK chain (type 5)', r.pos - 6);
  const pckChain = r.take(innerSize, 'PCK chain');
  if (r.pos !== sigEnd) malformed('signature data length disagrees with its contents', r.pos);
  for (let i = r.pos; i < bytes.length; i++) if (bytes[i] !== 0) malformed('trailing bytes after the signature data', i);
  return Object.freeze({
    version,
    attestationKeyType,
    teeType,
    qeVendorId,
    bodyType,
    teeTcbSvn,
    mrSeam,
    mrSignerSeam,
    seamAttributes,
    tdAttributes,
    debug: ((tdAttributes[0] as number) & 1) === 1,
    xfam,
    mrTd,
    mrConfigId,
    mrOwner,
    mrOwnerConfig,
    rtmrs,
    reportData,
    teeTcbSvn2,
    mrServiceTd,
    signedBytes,
    signature,
    attestationKey,
    qeReport,
    qeReportSignature,
    qeAuthData,
    pckChain,
  });
}

/** Reads the QE's SGX REPORT_BODY (384 bytes). */
export function parseQeReport(body: Uint8Array): QeReportBody {
  if (body.length !== 384) malformed('QE report is not 384 bytes', 0);
  const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
  return {
    miscselect: v.getUint32(16, true),
    attributes: body.subarray(48, 64),
    mrEnclave: body.subarray(64, 96),
    mrSigner: body.subarray(128, 160),
    isvProdId: v.getUint16(256, true),
    isvSvn: v.getUint16(258, true),
    reportData: body.subarray(320, 384),
  };
}
