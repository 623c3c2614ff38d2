// Test support: an Intel-like PKI (root → PCK Platform CA → PCK leaf with SGX extensions; root →
// TCB Signing), signed tcbInfo / QE identity, and synthetic TDX quotes v4 (Intel TDX DCAP quote
// format §A.3) signed by a fresh attestation key whose QE report the PCK key signs.
import { createHash, createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { int, octets, oid, seq, hexColon } from './der-builder.ts';
import { OpensslPki, type TestCa } from './openssl-pki.ts';
import { parseCertificate } from '../x509/certificate.ts';
import type { TdxCollateral } from '../tdx/tdx-collateral.ts';

type Ca = TestCa & { kind: 'rsa-pss' | 'ec384' | 'ec256' };
const SGX = '1.2.840.113741.1.13.1';
export const TDX_FMSPC = '00906ed50000';
export const TDX_MRTD = new Uint8Array(48).fill(0x5a);
export const QE_MRSIGNER = new Uint8Array(32).fill(0xdc);

export interface TdxTestPki {
  readonly pki: OpensslPki;
  readonly root: Ca;
  readonly platform: Ca;
  readonly pck: Ca;
  readonly tcbSigner: Ca;
  readonly rootFingerprint: string;
  readonly pckChainPem: string;
}

function sgxExtension(sgxSvn: number, pceSvn: number): string {
  const comps = Array.from({ length: 16 }, (_, i) => seq(oid(`${SGX}.2.${String(i + 1)}`), int(sgxSvn)));
  const tcb = seq(...comps, seq(oid(`${SGX}.2.17`), int(pceSvn)), seq(oid(`${SGX}.2.18`), octets(new Uint8Array(16).fill(sgxSvn))));
  const body = seq(
    seq(oid(`${SGX}.1`), octets(new Uint8Array(16).fill(1))),
    seq(oid(`${SGX}.2`), tcb),
    seq(oid(`${SGX}.3`), octets(new Uint8Array([0, 0]))),
    seq(oid(`${SGX}.4`), octets(Buffer.from(TDX_FMSPC, 'hex'))),
  );
  return `${SGX} = DER:${hexColon(body)}`;
}

export function makeTdxPki(options: { revokePck?: boolean } = {}): TdxTestPki & { crls: string[] } {
  const pki = new OpensslPki();
  const root = pki.root({ name: 'root', subject: '/O=PHIGuard Test/CN=Test SGX Root CA', key: 'ec256', serial: 1 });
  const platform = pki.issue(root, {
    name: 'platform',
    subject: '/O=PHIGuard Test/CN=Test SGX PCK Platform CA',
    key: 'ec256',
    ca: true,
    serial: 2,
  });
  const pck = pki.issue(platform, {
    name: 'pck',
    subject: '/O=PHIGuard Test/CN=Test SGX PCK Certificate',
    key: 'ec256',
    serial: 0x77,
    extensions: [sgxExtension(5, 11)],
  });
  const tcbSigner = pki.issue(root, { name: 'tcbsign', subject: '/O=PHIGuard Test/CN=Test SGX TCB Signing', key: 'ec256', serial: 3 });
  const crls = [pki.crl(root, []), pki.crl(platform, options.revokePck === true ? ['77'] : [])];
  return {
    pki,
    root,
    platform,
    pck,
    tcbSigner,
    rootFingerprint: parseCertificate(root.certPem).fingerprint,
    pckChainPem: pck.certPem + platform.certPem + root.certPem,
    crls,
  };
}

function signJson(text: string, keyFile: string): string {
  return sign('sha256', Buffer.from(text), { key: createPrivateKey(readFileSync(keyFile)), dsaEncoding: 'ieee-p1363' }).toString('hex');
}

/** Collateral valid around `now` (±15 days) with one TCB level of the given status. */
export function makeTdxCollateral(p: TdxTestPki & { crls: string[] }, now: Date, status = 'UpToDate'): TdxCollateral {
  const day = 86_400_000;
  const window = {
    issueDate: new Date(now.getTime() - 15 * day).toISOString(),
    nextUpdate: new Date(now.getTime() + 15 * day).toISOString(),
  };
  const comps = (svn: number): { svn: number }[] => Array.from({ length: 16 }, () => ({ svn }));
  const tcbInfo = JSON.stringify({
    id: 'TDX',
    version: 3,
    ...window,
    fmspc: TDX_FMSPC.toUpperCase(),
    pceId: '0000',
    tcbType: 0,
    tcbEvaluationDataNumber: 17,
    tcbLevels: [
      {
        tcb: { sgxtcbcomponents: comps(5), pcesvn: 11, tdxtcbcomponents: comps(0).map((c, i) => (i === 0 ? { svn: 3 } : c)) },
        tcbDate: '2024-03-13T00:00:00Z',
        tcbStatus: status,
      },
    ],
  });
  const qeIdentity = JSON.stringify({
    id: 'TD_QE',
    version: 2,
    ...window,
    tcbEvaluationDataNumber: 17,
    miscselect: '00000000',
    miscselectMask: 'FFFFFFFF',
    attributes: '11000000000000000000000000000000',
    attributesMask: 'FBFFFFFFFFFFFFFF0000000000000000',
    mrsigner: Buffer.from(QE_MRSIGNER).toString('hex').toUpperCase(),
    isvprodid: 2,
    tcbLevels: [{ tcb: { isvsvn: 4 }, tcbDate: '2024-03-13T00:00:00Z', tcbStatus: 'UpToDate' }],
  });
  const signerChain = p.tcbSigner.certPem + p.root.certPem;
  return {
    tcbInfo,
    tcbInfoSignature: signJson(tcbInfo, p.tcbSigner.keyFile),
    tcbInfoIssuerChain: signerChain,
    qeIdentity,
    qeIdentitySignature: signJson(qeIdentity, p.tcbSigner.keyFile),
    qeIdentityIssuerChain: signerChain,
    crls: p.crls,
  };
}

export interface TdxQuoteFields {
  tdAttributes?: Uint8Array;
  mrTd?: Uint8Array;
  reportData?: Uint8Array;
  teeTcbSvn?: Uint8Array;
}

/** A v4 quote: header ‖ TD report 1.0 body ‖ ECDSA signature data with a QE report signed by the PCK key. */
export function makeTdxQuote(p: TdxTestPki, fields: TdxQuoteFields = {}): Uint8Array {
  const header = Buffer.alloc(48);
  header.writeUInt16LE(4, 0);
  header.writeUInt16LE(2, 2);
  header.writeUInt32LE(0x81, 4);
  Buffer.from('939a7233f79c4ca9940a0db3957f0607', 'hex').copy(header, 12);
  const body = Buffer.alloc(584);
  body.set(fields.teeTcbSvn ?? Uint8Array.from([3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 0);
  body.set(fields.tdAttributes ?? new Uint8Array(8), 120);
  body.set(fields.mrTd ?? TDX_MRTD, 136);
  body.set(fields.reportData ?? new Uint8Array(64), 520);
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const attKey = Buffer.concat([Buffer.from(jwk.x ?? '', 'base64url'), Buffer.from(jwk.y ?? '', 'base64url')]);
  const signed = Buffer.concat([header, body]);
  const quoteSig = sign('sha256', signed, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  const authData = Buffer.from('phiguard-test-auth-data');
  const qe = Buffer.alloc(384);
  qe.set(Uint8Array.from([0x11]), 48); // attributes: INIT | MODE64BIT
  qe.set(QE_MRSIGNER, 128);
  qe.writeUInt16LE(2, 256);
  qe.writeUInt16LE(4, 258);
  createHash('sha256').update(attKey).update(authData).digest().copy(qe, 320);
  const qeSig = sign('sha256', qe, { key: createPrivateKey(readFileSync(p.pck.keyFile)), dsaEncoding: 'ieee-p1363' });
  const chain = Buffer.from(p.pckChainPem);
  const u16 = (n: number): Buffer => {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(n);
    return b;
  };
  const u32 = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b;
  };
  const inner = Buffer.concat([qe, qeSig, u16(authData.length), authData, u16(5), u32(chain.length), chain]);
  const sigData = Buffer.concat([quoteSig, attKey, u16(6), u32(inner.length), inner]);
  return new Uint8Array(Buffer.concat([signed, u32(sigData.length), sigData]));
}
