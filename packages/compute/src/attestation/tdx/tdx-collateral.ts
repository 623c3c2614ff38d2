import { verify } from 'node:crypto';
import { refuse } from '../attestation-result.ts';
import type { Certificate } from '../x509/certificate.ts';
import type { QeReportBody } from './tdx-quote.ts';

/**
 * Intel PCS collateral for a TDX quote (Intel "Provisioning Certification Service API v4":
 * TDX TCB Info §, Enclave Identity §). `tcbInfo`/`qeIdentity` are the exact JSON text that was
 * signed (the value of the `tcbInfo` / `enclaveIdentity` member of the PCS body).
 */
export interface TdxCollateral {
  readonly tcbInfo: string;
  /** Hex r ‖ s (ECDSA P-256 over the UTF-8 bytes of `tcbInfo`). */
  readonly tcbInfoSignature: string;
  /** PEM: Intel SGX TCB Signing certificate + root (PCS header `TCB-Info-Issuer-Chain`). */
  readonly tcbInfoIssuerChain: string;
  readonly qeIdentity?: string;
  readonly qeIdentitySignature?: string;
  readonly qeIdentityIssuerChain?: string;
  /** Root CA CRL and PCK CRL (DER or PEM). */
  readonly crls: readonly (Uint8Array | string)[];
}

/** Splits a PCS response body `{"tcbInfo":{…},"signature":"…"}` (or `enclaveIdentity`) into the signed text and the signature. */
export function splitPcsBody(body: string): { readonly signed: string; readonly signature: string } {
  const m = /^\s*\{\s*"(?:tcbInfo|enclaveIdentity)"\s*:\s*(\{[\s\S]*\})\s*,\s*"signature"\s*:\s*"([0-9a-fA-F]+)"\s*\}\s*$/.exec(body);
  if (m === null) refuse('collateral-invalid', 'PCS body is not {tcbInfo|enclaveIdentity, signature}');
  return { signed: m[1] as string, signature: m[2] as string };
}

/** ECDSA P-256 / SHA-256 over the signed JSON text; the signature is raw r ‖ s. */
export function verifySignedJson(signed: string, signatureHex: string, signer: Certificate): boolean {
  try {
    if (signatureHex.length !== 128) return false;
    return verify(
      'sha256',
      Buffer.from(signed, 'utf8'),
      { key: signer.publicKey, dsaEncoding: 'ieee-p1363' },
      Buffer.from(signatureHex, 'hex'),
    );
  } catch {
    return false;
  }
}

interface TcbLevel {
  tcb: { sgxtcbcomponents?: { svn: number }[]; pcesvn?: number; tdxtcbcomponents?: { svn: number }[]; isvsvn?: number };
  tcbStatus: string;
}
interface ModuleIdentity {
  id: string;
  mrsigner: string;
  attributes: string;
  attributesMask: string;
  tcbLevels: TcbLevel[];
}
interface TcbInfo {
  id: string;
  version: number;
  issueDate: string;
  nextUpdate: string;
  fmspc: string;
  pceId: string;
  tdxModuleIdentities?: ModuleIdentity[];
  tcbLevels: TcbLevel[];
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return refuse('collateral-invalid', `${what} is not JSON`);
  }
}

function checkWindow(issueDate: unknown, nextUpdate: unknown, now: Date, what: string): void {
  const issued = typeof issueDate === 'string' ? Date.parse(issueDate) : Number.NaN;
  const next = typeof nextUpdate === 'string' ? Date.parse(nextUpdate) : Number.NaN;
  if (Number.isNaN(issued) || Number.isNaN(next)) refuse('collateral-invalid', `${what} has no valid issueDate/nextUpdate`);
  if (now.getTime() < issued || now.getTime() > next) refuse('collateral-expired', `${what} is not current at the verification time`);
}

function svns(list: unknown): number[] {
  if (!Array.isArray(list) || list.length !== 16) return refuse('collateral-invalid', 'TCB level does not have 16 components');
  return list.map((c: unknown) => {
    const svn = (c as { svn?: unknown } | null)?.svn;
    return typeof svn === 'number' ? svn : refuse('collateral-invalid', 'TCB component without svn');
  });
}

function maskedEqual(actual: Uint8Array, expectedHex: string, maskHex: string): boolean {
  const expected = Buffer.from(expectedHex, 'hex');
  const mask = Buffer.from(maskHex, 'hex');
  if (expected.length !== actual.length || mask.length !== actual.length) return false;
  return actual.every((b, i) => (b & (mask[i] as number)) === ((expected[i] as number) & (mask[i] as number)));
}

export interface TdxTcbInput {
  readonly fmspc: string;
  readonly pceId: string;
  readonly sgxTcbComponents: readonly number[];
  readonly pceSvn: number;
  readonly teeTcbSvn: Uint8Array;
  readonly mrSignerSeam: Uint8Array;
  readonly seamAttributes: Uint8Array;
}

/**
 * TCB status of a TDX platform from a verified tcbInfo (Intel TDX DCAP QVL, "TDX TCB status
 * evaluation"): the first TCB level whose SGX components and PCESVN are ≤ the PCK's and whose
 * TDX components are ≤ TEE_TCB_SVN (indices 2..15 when a TDX module identity applies, which
 * then decides by TEE_TCB_SVN[0] against the module's own levels). No matching level ⇒ refusal.
 */
export function tdxTcbStatus(tcbInfoText: string, input: TdxTcbInput, now: Date): string {
  const info = parseJson(tcbInfoText, 'tcbInfo') as TcbInfo;
  if (info.id !== 'TDX' || info.version !== 3) refuse('collateral-invalid', 'tcbInfo is not a TDX tcbInfo v3');
  checkWindow(info.issueDate, info.nextUpdate, now, 'tcbInfo');
  if (typeof info.fmspc !== 'string' || info.fmspc.toLowerCase() !== input.fmspc)
    refuse('collateral-invalid', 'tcbInfo FMSPC differs from the PCK certificate');
  if (typeof info.pceId !== 'string' || info.pceId.toLowerCase() !== input.pceId)
    refuse('collateral-invalid', 'tcbInfo PCE-ID differs from the PCK certificate');
  const moduleVersion = input.teeTcbSvn[1] as number;
  const useModule = moduleVersion > 0 && Array.isArray(info.tdxModuleIdentities);
  let moduleStatus = 'UpToDate';
  if (useModule) {
    const id = `TDX_${moduleVersion.toString(16).padStart(2, '0').toUpperCase()}`;
    const identity = info.tdxModuleIdentities?.find((m) => m.id === id);
    if (identity === undefined) refuse('tcb-status-refused', 'no TDX module identity for the module version');
    if (
      !maskedEqual(input.mrSignerSeam, identity.mrsigner, 'ff'.repeat(48)) ||
      !maskedEqual(input.seamAttributes, identity.attributes, identity.attributesMask)
    ) {
      refuse('tcb-status-refused', 'TDX module signer or attributes differ from its identity');
    }
    const level = identity.tcbLevels.find((l) => typeof l.tcb.isvsvn === 'number' && l.tcb.isvsvn <= (input.teeTcbSvn[0] as number));
    if (level === undefined) refuse('tcb-status-refused', 'no TDX module TCB level matches');
    moduleStatus = level.tcbStatus;
  }
  if (!Array.isArray(info.tcbLevels)) refuse('collateral-invalid', 'tcbInfo has no tcbLevels');
  const level = info.tcbLevels.find((l) => {
    const sgx = svns(l.tcb.sgxtcbcomponents);
    const tdx = svns(l.tcb.tdxtcbcomponents);
    if (sgx.some((svn, i) => (input.sgxTcbComponents[i] as number) < svn)) return false;
    if (typeof l.tcb.pcesvn !== 'number' || input.pceSvn < l.tcb.pcesvn) return false;
    return tdx.every((svn, i) => (useModule && i < 2) || (input.teeTcbSvn[i] as number) >= svn);
  });
  if (level === undefined) refuse('tcb-status-refused', 'no TCB level matches the platform (fail closed)');
  return moduleStatus === 'UpToDate' ? level.tcbStatus : moduleStatus;
}

interface QeIdentity {
  id: string;
  version: number;
  issueDate: string;
  nextUpdate: string;
  miscselect: string;
  miscselectMask: string;
  attributes: string;
  attributesMask: string;
  mrsigner: string;
  isvprodid: number;
  tcbLevels: TcbLevel[];
}

/** Checks the QE report against a verified TD_QE identity (PCS Enclave Identity v2); returns its TCB status. */
export function qeIdentityStatus(identityText: string, qe: QeReportBody, now: Date): string {
  const id = parseJson(identityText, 'qeIdentity') as QeIdentity;
  if (id.id !== 'TD_QE' || id.version !== 2) refuse('collateral-invalid', 'qeIdentity is not a TD_QE identity v2');
  checkWindow(id.issueDate, id.nextUpdate, now, 'qeIdentity');
  const misc = Buffer.alloc(4);
  misc.writeUInt32BE(qe.miscselect);
  // The identity writes MISCSELECT as the big-endian hex of the 32-bit value.
  if (!maskedEqual(misc, id.miscselect, id.miscselectMask)) refuse('qe-identity-mismatch', 'QE MISCSELECT differs from its identity');
  if (!maskedEqual(qe.attributes, id.attributes, id.attributesMask))
    refuse('qe-identity-mismatch', 'QE attributes differ from its identity');
  if (Buffer.from(qe.mrSigner).toString('hex') !== id.mrsigner.toLowerCase())
    refuse('qe-identity-mismatch', 'QE MRSIGNER differs from its identity');
  if (qe.isvProdId !== id.isvprodid) refuse('qe-identity-mismatch', 'QE ISVPRODID differs from its identity');
  const level = id.tcbLevels.find((l) => typeof l.tcb.isvsvn === 'number' && l.tcb.isvsvn <= qe.isvSvn);
  if (level === undefined) refuse('tcb-status-refused', 'no QE TCB level matches');
  return level.tcbStatus;
}
