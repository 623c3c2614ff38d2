import { describe, expect, it } from 'vitest';
import { parseSnpReport, SNP_REPORT_SIZE } from './snp-report.ts';
import { verifySnpReportSignature } from './snp-verifier.ts';
import { vcekExtensions } from './vcek-extensions.ts';
import { parseCertificate, pemBlocks } from '../x509/certificate.ts';
import { pemBlocksOf } from '../testing/pem.ts';
import { vector, vectorText } from '../testing/vectors.ts';

interface Expected {
  name: string;
  report_file: string;
  report_encoding: string;
  report_offset: number;
  vcek_file: string | null;
  signature_valid_with_vcek: boolean;
  parsed: Record<string, unknown> & {
    current_tcb: Record<string, unknown>;
    reported_tcb: Record<string, unknown>;
    policy: { raw: string; debug_allowed: boolean };
  };
}

const expected = (JSON.parse(vectorText('sev-snp/EXPECTED_derived.json')) as { reports: Expected[] }).reports;

/** Reads a report as EXPECTED_derived.json describes it (bin, hex text, Azure HCL JSON array, PEM). */
export function loadReport(e: Expected): Uint8Array {
  const file = `sev-snp/${e.report_file}`;
  let bytes: Uint8Array;
  if (e.report_encoding === 'hex') bytes = Buffer.from(vectorText(file).trim(), 'hex');
  else if (e.report_encoding === 'pem') bytes = pemBlocksOf(vectorText(file))[0] as Uint8Array;
  else if (e.report_encoding === 'bin') bytes = vector(file);
  else bytes = Uint8Array.from((JSON.parse(vectorText(file)) as { report: number[] }).report);
  return bytes.subarray(e.report_offset, e.report_offset + SNP_REPORT_SIZE);
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('parseSnpReport on the real reports (EXPECTED_derived.json)', () => {
  it.each(expected.map((e) => [e.name, e] as const))('%s', (_, e) => {
    const report = parseSnpReport(loadReport(e));
    const p = e.parsed;
    expect(report.version).toBe(p.version);
    expect(report.guestSvn).toBe(p.guest_svn);
    expect(`0x${report.policy.toString(16)}`).toBe(p.policy.raw);
    expect(report.debugAllowed).toBe(p.policy.debug_allowed);
    expect(report.vmpl).toBe(p.vmpl);
    expect(report.signatureAlgo).toBe(p.signature_algo);
    for (const [ours, theirs] of [
      [report.currentTcb, p.current_tcb],
      [report.reportedTcb, p.reported_tcb],
    ] as const) {
      expect(`0x${ours.raw.toString(16).padStart(16, '0')}`).toBe(theirs.raw);
      expect([ours.bootloader, ours.tee, ours.snp, ours.microcode]).toEqual([theirs.bootloader, theirs.tee, theirs.snp, theirs.microcode]);
    }
    expect(hex(report.reportData)).toBe(p.report_data);
    expect(hex(report.measurement)).toBe(p.measurement);
    expect(hex(report.hostData)).toBe(p.host_data);
    expect(hex(report.idKeyDigest)).toBe(p.id_key_digest);
    expect(hex(report.reportId)).toBe(p.report_id);
    expect(hex(report.chipId)).toBe(p.chip_id);
    expect(report.currentVersion).toBe(p.current_version);
    expect(report.committedVersion).toBe(p.committed_version);
    expect(hex(Uint8Array.from(report.signatureR).reverse())).toBe((p.signature_r_le_hex as string).slice(0, 96));
    if (e.vcek_file === null) return; // parse-only vector (no VCEK published)
    const vcek = parseCertificate(vector(`sev-snp/${e.vcek_file}`));
    expect(verifySnpReportSignature(report, vcek)).toBe(e.signature_valid_with_vcek);
  });

  it('refuses a report of the wrong size or version', () => {
    const good = loadReport(expected[0] as Expected);
    expect(() => parseSnpReport(good.subarray(0, 1183))).toThrow(/1184/);
    const bad = Uint8Array.from(good);
    bad[0] = 9;
    expect(() => parseSnpReport(bad)).toThrow(/version/);
    const reserved = Uint8Array.from(good);
    reserved[0x400] = 1;
    expect(() => parseSnpReport(reserved)).toThrow(/reserved bytes/);
  });
});

describe('VCEK extensions', () => {
  it('reads SPLs, product and hwID of a real Milan VCEK (equal to the report)', () => {
    const ext = vcekExtensions(parseCertificate(vector('sev-snp/go-sev-guest_vcek.testcer')));
    expect(ext).toMatchObject({ productName: 'Milan-B0', bootloader: 2, tee: 0, snp: 5, microcode: 68 });
    expect(hex(ext.hwId ?? new Uint8Array())).toMatch(/^3ac3fe21.*6b5d$/);
  });

  it('reads the 8-byte hwID and FMC SPL of a Turin VCEK', () => {
    const ext = vcekExtensions(parseCertificate(vector('sev-snp/virtee_vcek_turin.der')));
    expect(ext.productName).toBe('Turin');
    expect(hex(ext.hwId ?? new Uint8Array()).toUpperCase()).toBe('1E550A8EE5CF9F4D');
    expect(typeof ext.fmc).toBe('number');
  });

  it('accepts both the legacy raw and the OCTET STRING-wrapped hwID encodings', () => {
    const legacy = vcekExtensions(parseCertificate(vector('sev-snp/trustee_test-vcek-invalid-legacy.der')));
    const wrapped = vcekExtensions(parseCertificate(vector('sev-snp/trustee_test-vcek-invalid-new.der')));
    const want = Uint8Array.from({ length: 64 }, (_, i) => i);
    expect(hex(legacy.hwId ?? new Uint8Array())).toBe(hex(want));
    expect(hex(wrapped.hwId ?? new Uint8Array())).toBe(hex(want));
  });

  it('reads every certificate of the AMD bundles', () => {
    for (const f of ['ask_ark_milan.pem', 'ask_ark_genoa.pem', 'ask_ark_turin_vcek.pem', 'ask_ark_milan_vlek.pem']) {
      const certs = pemBlocks(vectorText(`sev-snp/${f}`)).map((d) => parseCertificate(d));
      expect(certs).toHaveLength(2);
      expect(certs[1]?.signatureAlgorithm).toEqual({ kind: 'rsa-pss', hash: 'sha384', saltLength: 48 });
    }
  });
});
