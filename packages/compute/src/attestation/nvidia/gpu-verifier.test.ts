import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { exportJWK, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { appraiseGpuReport, gpuNonce, GpuVerifier, type GpuEvidence } from './gpu-verifier.ts';
import { NrasTokenVerifier } from './nras-token-verifier.ts';
import { parseRim, rimMismatches } from './rim.ts';
import { NV_OPAQUE, parseSpdmReport } from './spdm-measurements.ts';
import { Refusal } from '../attestation-result.ts';
import { vectorText } from '../testing/vectors.ts';

interface Expected {
  report: string;
  cert_chain: string;
  parsed: {
    request_nonce: string;
    response_nonce: string;
    opaque_fields: Record<string, string>;
    measurements?: Record<string, string>;
    vbios_version_decoded: string;
    nonzero_measurement_indices: number[];
  };
}
const expected = (JSON.parse(vectorText('nvidia-gpu/EXPECTED_derived.json')) as { reports: Expected[] }).reports;
const hex = (b: Uint8Array | undefined): string => Buffer.from(b ?? new Uint8Array()).toString('hex');
const reportOf = (file: string): Uint8Array => Buffer.from(vectorText(`nvidia-gpu/${file}`).trim(), 'hex');
const PROD_RIM = vectorText('nvidia-gpu/nvtrust_1010_0200_882_960074001A_PROD.swidtag');
// Device chains never expire (notAfter 9999-12-31); any time after their notBefore works.
const NOW = new Date('2026-01-01T00:00:00Z');

function refusalOf(fn: () => unknown): string {
  try {
    fn();
    return 'accepted';
  } catch (error) {
    if (error instanceof Refusal) return error.reason;
    throw error;
  }
}

describe('SPDM GET_MEASUREMENTS reports (EXPECTED_derived.json)', () => {
  it.each(expected.map((e) => [e.report, e] as const))('%s parses and its signature verifies with the chain leaf', (file, e) => {
    const r = parseSpdmReport(reportOf(file));
    expect(hex(r.requestNonce)).toBe(e.parsed.request_nonce);
    expect(hex(r.responseNonce)).toBe(e.parsed.response_nonce);
    expect(r.measurements.size).toBe(64);
    const nonzero = [...r.measurements].filter(([, v]) => v.some((b) => b !== 0)).map(([i]) => i);
    expect(nonzero).toEqual(e.parsed.nonzero_measurement_indices);
    for (const [i, v] of Object.entries(e.parsed.measurements ?? {})) expect(hex(r.measurements.get(Number(i)))).toBe(v);
    expect(
      Buffer.from(r.opaque.get(NV_OPAQUE.DRIVER_VERSION) ?? [])
        .toString('latin1')
        .replace(/\0+$/, ''),
    ).toBe(e.parsed.opaque_fields.DRIVER_VERSION);
    expect(hex(r.opaque.get(NV_OPAQUE.FWID))).toBe(e.parsed.opaque_fields.FWID);
    // With no RIM to compare, the appraisal stops exactly at the reference values: chain, signature and FWID passed.
    expect(
      refusalOf(() =>
        appraiseGpuReport({ report: reportOf(file), certChain: vectorText(`nvidia-gpu/${e.cert_chain}`) }, { rims: [] }, NOW),
      ),
    ).toBe('rim-mismatch');
  });

  it('RIM golden values: the PROD VBIOS RIM matches the CoCo report except index 9 (as documented upstream)', () => {
    const rim = parseRim(PROD_RIM);
    expect(rim.colloquialVersion).toBe('96.00.74.00.1A');
    expect(rim.measurements).toHaveLength(64);
    expect(rimMismatches(rim, parseSpdmReport(reportOf('trustee_hopper_coco_report1.txt')).measurements)).toEqual([9]);
    const evidence = {
      report: reportOf('trustee_hopper_coco_report1.txt'),
      certChain: vectorText('nvidia-gpu/trustee_hopper_coco_certs1.txt'),
    };
    expect(refusalOf(() => appraiseGpuReport(evidence, { rims: [PROD_RIM] }, NOW))).toBe('rim-mismatch');
    // A RIM that lists the observed value as an alternative for index 9 is accepted (multi-alternative form).
    const observed = hex(parseSpdmReport(evidence.report).measurements.get(10));
    const patched = PROD_RIM.replace(
      /(index="9" active="True" alternatives=")1(" [\w:]*Hash0="[0-9a-f]+")/,
      `$12$2 ns2:Hash1="${observed}"`,
    );
    const a = appraiseGpuReport(evidence, { rims: [patched] }, NOW);
    expect(a).toMatchObject({ driverVersion: '580.95.05', vbiosVersion: '96.00.74.00.1A' });
  });

  it.each([
    ['trustee_hopper_cert_chain_case2.txt', 'chain-invalid'],
    ['trustee_hopper_cert_chain_case3.txt', 'chain-invalid'],
    ['trustee_hopper_cert_chain_case4.txt', 'signature-invalid'],
    ['nvtrust_hopperCertChain.txt', 'signature-invalid'],
  ])('negative chain %s → %s', (chain, reason) => {
    const evidence = { report: reportOf('trustee_hopper_coco_report1.txt'), certChain: vectorText(`nvidia-gpu/${chain}`) };
    expect(refusalOf(() => appraiseGpuReport(evidence, { rims: [PROD_RIM] }, NOW))).toBe(reason);
  });

  it('an unpinned root is refused', () => {
    const evidence = {
      report: reportOf('nvtrust_hopperAttestationReport.txt'),
      certChain: vectorText('nvidia-gpu/nvtrust_hopperCertChain.txt'),
    };
    expect(refusalOf(() => appraiseGpuReport(evidence, { rims: [], trustedRoots: new Set() }, NOW))).toBe('root-untrusted');
  });

  it('the verifier checks the request nonce = SHA-256(nonce ‖ keyHash)', async () => {
    const evidence: GpuEvidence = {
      report: reportOf('trustee_hopper_coco_report1.txt'),
      certChain: vectorText('nvidia-gpu/trustee_hopper_coco_certs1.txt'),
    };
    const observed = hex(parseSpdmReport(evidence.report).measurements.get(10));
    const rim = PROD_RIM.replace(/(index="9" active="True" alternatives=")1(" [\w:]*Hash0="[0-9a-f]+")/, `$12$2 ns2:Hash1="${observed}"`);
    const result = await new GpuVerifier().verify(
      evidence,
      { rims: [rim] },
      { now: NOW, expectedNonce: Buffer.alloc(32, 1), expectedKeyHash: Buffer.alloc(32, 2) },
    );
    expect(result).toMatchObject({ ok: false, reason: 'nonce-mismatch', tee: 'nvidia-gpu' });
  });

  it('property: mutated reports never pass and never throw', async () => {
    const original = reportOf('nvtrust_hopperAttestationReport.txt');
    const certChain = vectorText('nvidia-gpu/nvtrust_hopperCertChain.txt');
    const v = new GpuVerifier();
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: original.length - 1 }), fc.integer({ min: 1, max: 255 }), async (at, x) => {
        const mutated = Uint8Array.from(original);
        mutated[at] = (mutated[at] as number) ^ x;
        const r = await v.verify(
          { report: mutated, certChain },
          { rims: [PROD_RIM] },
          { now: NOW, expectedNonce: Buffer.alloc(32, 1), expectedKeyHash: Buffer.alloc(32, 2) },
        );
        expect(r.ok).toBe(false);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 100) },
    );
  });
});

describe('NRAS token verifier (jose, own JWKS)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const other = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const issuer = 'https://nras.test.invalid';
  const nonce = Buffer.alloc(32, 4);
  const keyHash = Buffer.alloc(32, 6);
  const now = new Date('2026-01-01T00:00:00Z');
  const token = async (claims: Record<string, unknown>, key = privateKey, exp = '+1h'): Promise<string> =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES384', kid: 'k1' })
      .setIssuer(issuer)
      .setIssuedAt(now)
      .setExpirationTime(exp === '+1h' ? new Date(now.getTime() + 3_600_000) : new Date(now.getTime() - 1000))
      .sign(key);

  it('accepts a valid token and refuses forged, expired, failed and unbound ones', async () => {
    const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES384' }] };
    const v = new NrasTokenVerifier();
    const context = { now, expectedNonce: nonce, expectedKeyHash: keyHash };
    const good = { 'x-nvidia-overall-att-result': true, eat_nonce: hex(gpuNonce(nonce, keyHash)) };
    expect(await v.verify({ token: await token(good) }, { jwks, issuer }, context)).toMatchObject({
      ok: true,
      claims: { tee: 'nvidia-gpu' },
    });
    expect(await v.verify({ token: await token(good, other.privateKey) }, { jwks, issuer }, context)).toMatchObject({
      ok: false,
      reason: 'token-invalid',
    });
    expect(await v.verify({ token: await token(good, privateKey, 'past') }, { jwks, issuer }, context)).toMatchObject({
      ok: false,
      reason: 'token-invalid',
    });
    expect(
      await v.verify({ token: await token({ ...good, 'x-nvidia-overall-att-result': false }) }, { jwks, issuer }, context),
    ).toMatchObject({ ok: false, reason: 'token-invalid' });
    expect(await v.verify({ token: await token({ ...good, eat_nonce: '00' }) }, { jwks, issuer }, context)).toMatchObject({
      ok: false,
      reason: 'nonce-mismatch',
    });
    expect(await v.verify({ token: await token(good) }, { jwks, issuer: 'https://elsewhere.invalid' }, context)).toMatchObject({
      ok: false,
      reason: 'token-invalid',
    });
    expect(await v.verify({ token: 'not.a.jwt' }, { jwks, issuer }, context)).toMatchObject({ ok: false, reason: 'token-invalid' });
  });
});
