// Test support: an AMD-like PKI (ARK → ASK RSASSA-PSS, VCEK P-384 with AMD extensions) and
// synthetic SEV-SNP reports (ABI spec Table 23) signed by the VCEK key.
import { createPrivateKey, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { derInt, derRaw, OpensslPki, type TestCa } from './openssl-pki.ts';
import { parseCertificate } from '../x509/certificate.ts';

export interface SnpFields {
  version?: number;
  /** Turin (family 1Ah): TCB layout FMC, BL, TEE, SNP, …, µcode. */
  turinFmc?: number;
  policy?: bigint;
  vmpl?: number;
  tcb?: { bootloader: number; tee: number; snp: number; microcode: number };
  measurement?: Uint8Array;
  reportData?: Uint8Array;
  chipId?: Uint8Array;
  signingKey?: number;
}

export const TEST_CHIP_ID = new Uint8Array(64).map((_, i) => (i * 7 + 3) & 0xff);
export const TEST_TCB = { bootloader: 3, tee: 0, snp: 8, microcode: 115 };
export const TEST_MEASUREMENT = new Uint8Array(48).fill(0xab);

export interface SnpTestPki {
  readonly pki: OpensslPki;
  readonly ark: TestCa & { kind: 'rsa-pss' | 'ec384' | 'ec256' };
  readonly ask: TestCa & { kind: 'rsa-pss' | 'ec384' | 'ec256' };
  readonly vcek: TestCa & { kind: 'rsa-pss' | 'ec384' | 'ec256' };
  readonly certChain: string;
  readonly arkFingerprint: string;
  readonly crl: string;
}

export function vcekExtensionLines(tcb = TEST_TCB, chipId = TEST_CHIP_ID): string[] {
  return [
    `1.3.6.1.4.1.3704.1.1 = ${derInt(0)}`,
    '1.3.6.1.4.1.3704.1.2 = ASN1:IA5STRING:Milan-B0',
    `1.3.6.1.4.1.3704.1.3.1 = ${derInt(tcb.bootloader)}`,
    `1.3.6.1.4.1.3704.1.3.2 = ${derInt(tcb.tee)}`,
    `1.3.6.1.4.1.3704.1.3.3 = ${derInt(tcb.snp)}`,
    `1.3.6.1.4.1.3704.1.3.8 = ${derInt(tcb.microcode)}`,
    `1.3.6.1.4.1.3704.1.4 = ${derRaw(chipId)}`,
  ];
}

/** ARK (self-signed) → ASK → VCEK, a current ARK CRL revoking nothing. */
export function makeSnpPki(
  options: { vcekDays?: number; revokeAsk?: boolean; vcekExtensions?: string[]; askIsCa?: boolean } = {},
): SnpTestPki {
  const pki = new OpensslPki();
  const ark = pki.root({ name: 'ark', subject: '/O=PHIGuard Test/CN=ARK-Test', key: 'rsa-pss', serial: 0x10000 });
  const ask = pki.issue(ark, {
    name: 'ask',
    subject: '/O=PHIGuard Test/CN=SEV-Test',
    key: 'rsa-pss',
    ca: options.askIsCa ?? true,
    serial: 0x10001,
  });
  const vcek = pki.issue(ask, {
    name: 'vcek',
    subject: '/O=PHIGuard Test/CN=SEV-VCEK',
    key: 'ec384',
    serial: 0x20,
    days: options.vcekDays ?? 3650,
    extensions: options.vcekExtensions ?? vcekExtensionLines(),
  });
  const crl = pki.crl(ark, options.revokeAsk === true ? ['010001'] : []);
  return { pki, ark, ask, vcek, certChain: ask.certPem + ark.certPem, arkFingerprint: parseCertificate(ark.certPem).fingerprint, crl };
}

/** A 1184-byte report with the given fields, signed with `vcekKeyFile` (ECDSA P-384, r/s little-endian). */
export function makeSnpReport(vcekKeyFile: string, fields: SnpFields = {}): Uint8Array {
  const r = new Uint8Array(0x4a0);
  const v = new DataView(r.buffer);
  v.setUint32(0x00, fields.version ?? 3, true);
  v.setBigUint64(0x08, fields.policy ?? 0x30000n, true);
  v.setUint32(0x30, fields.vmpl ?? 0, true);
  v.setUint32(0x34, 1, true);
  v.setUint32(0x48, (fields.signingKey ?? 0) << 2, true);
  const t = fields.tcb ?? TEST_TCB;
  const tcb =
    fields.turinFmc === undefined
      ? new Uint8Array([t.bootloader, t.tee, 0, 0, 0, 0, t.snp, t.microcode])
      : new Uint8Array([fields.turinFmc, t.bootloader, t.tee, t.snp, 0, 0, 0, t.microcode]);
  for (const off of [0x38, 0x180, 0x1e0, 0x1f0]) r.set(tcb, off);
  r.set(fields.reportData ?? new Uint8Array(64), 0x50);
  r.set(fields.measurement ?? TEST_MEASUREMENT, 0x90);
  r[0x188] = fields.turinFmc === undefined ? 0x19 : 0x1a; // CPUID family 19h (Milan) or 1Ah (Turin)
  r[0x189] = 0x01;
  r.set(fields.chipId ?? TEST_CHIP_ID, 0x1a0);
  const key = createPrivateKey(readFileSync(vcekKeyFile));
  const sig = sign('sha384', r.subarray(0, 0x2a0), { key, dsaEncoding: 'ieee-p1363' });
  r.set(Uint8Array.from(sig.subarray(0, 48)).reverse(), 0x2a0);
  r.set(Uint8Array.from(sig.subarray(48, 96)).reverse(), 0x2e8);
  return r;
}
