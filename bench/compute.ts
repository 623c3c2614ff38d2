// `npm run bench -- compute [--quick]`: attestation verifications per second (the precursor of
// key_releases_per_s), for real public evidence with pinned verification times:
//  - SEV-SNP: the teekit GCP Milan report bound to SHA-512(nonce ‖ key), full verification
//    (VCEK ← ASK ← ARK RSASSA-PSS chain, ARK CRL, P-384 report signature, policy, binding) → accepted;
//  - TDX: the Phala v4 quote with its complete Intel collateral (quote + QE report signatures,
//    PCK chain with root and PCK CRLs, signed tcbInfo and QE identity with their chains, TCB
//    status, policy); the public quote is not bound to our nonce, so each run ends at the binding check,
//    after all the cryptographic work.
// Peer limits measured in the same run: raw ECDSA P-384/SHA-384 and P-256/SHA-256 verifies per
// second on the same signed bytes (node:crypto), so the ratios say how much a verification costs
// in "signature verifications".
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SnpVerifier, TdxVerifier, type SnpEvidence, type TdxEvidence } from '@phiguard/compute';
import { isQuick, writeResult } from './lib/result.ts';
import { measureKeyReleases } from './compute/key-release.ts';
import { measureJobOverhead } from './compute/job-overhead.ts';

const quick = isQuick();
const seconds = quick ? 1 : 5;
const vectors = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../shared/vectors');
const read = (rel: string): Buffer => readFileSync(path.join(vectors, rel));
const text = (rel: string): string => readFileSync(path.join(vectors, rel), 'utf8');

async function rate(fn: () => unknown): Promise<number> {
  for (let i = 0; i < 20; i++) await fn(); // warm-up
  const end = process.hrtime.bigint() + BigInt(seconds * 1e9);
  const start = process.hrtime.bigint();
  let n = 0;
  while (process.hrtime.bigint() < end) {
    await fn();
    n += 1;
  }
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

// SEV-SNP
const bound = text('sev-snp/teekit_sev-gcp-x25519-bound.txt');
const nonce = Buffer.from(/NONCE=([0-9a-f]+)/.exec(bound)?.[1] ?? '', 'hex');
const key = Buffer.from(/X25519_KEY=([0-9a-f]+)/.exec(bound)?.[1] ?? '', 'hex');
const snpReport = read('sev-snp/teekit_sev-gcp-x25519-bound.bin');
const snpEvidence: SnpEvidence = {
  report: snpReport,
  vcek: read('sev-snp/teekit_sev-gcp-x25519-vcek.pem'),
  certChain: text('sev-snp/ask_ark_milan.pem'),
  crls: [text('sev-snp/openpcc_amd_milan_crl.pem')],
};
const snpPolicy = { allowedMeasurements: [snpReport.subarray(0x90, 0xc0).toString('hex')], minimumTcb: { bootloader: 4, tee: 0, snp: 27, microcode: 222 }, maxVmpl: 1 };
const snpContext = { now: new Date('2026-01-15T00:00:00Z'), expectedNonce: nonce, expectedKeyHash: key };
const snp = new SnpVerifier();
const check = await snp.verify(snpEvidence, snpPolicy, snpContext);
if (!check.ok) throw new Error(`SNP evidence refused: ${check.reason}`);

// TDX
const c = JSON.parse(text('tdx/phala_tdx_quote_collateral.json')) as Record<string, string>;
const quote = read('tdx/phala_tdx_quote.dat');
const tdxEvidence: TdxEvidence = {
  quote,
  collateral: {
    tcbInfo: c.tcb_info ?? '',
    tcbInfoSignature: c.tcb_info_signature ?? '',
    tcbInfoIssuerChain: c.tcb_info_issuer_chain ?? '',
    qeIdentity: c.qe_identity ?? '',
    qeIdentitySignature: c.qe_identity_signature ?? '',
    qeIdentityIssuerChain: c.qe_identity_issuer_chain ?? '',
    crls: [Buffer.from(c.root_ca_crl ?? '', 'hex'), Buffer.from(c.pck_crl ?? '', 'hex')],
  },
};
const tdxPolicy = { allowedMrTd: [quote.subarray(184, 232).toString('hex')] };
const tdxContext = { now: new Date('2025-07-01T00:00:00Z'), expectedNonce: Buffer.alloc(32, 1), expectedKeyHash: Buffer.alloc(32, 2) };
const tdx = new TdxVerifier();
const tdxCheck = await tdx.verify(tdxEvidence, tdxPolicy, tdxContext);
if (tdxCheck.ok || tdxCheck.reason !== 'report-data-mismatch') throw new Error('TDX appraisal did not reach the binding check');

// Peers: raw verifies over the same sizes of signed data.
const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const snpSigned = snpReport.subarray(0, 0x2a0);
const sig384 = sign('sha384', snpSigned, { key: p384.privateKey, dsaEncoding: 'ieee-p1363' });
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const tdxSigned = quote.subarray(0, 632);
const sig256 = sign('sha256', tdxSigned, { key: p256.privateKey, dsaEncoding: 'ieee-p1363' });

const snpRate = await rate(() => snp.verify(snpEvidence, snpPolicy, snpContext));
const tdxRate = await rate(() => tdx.verify(tdxEvidence, tdxPolicy, tdxContext));
const p384Rate = await rate(() => verify('sha384', snpSigned, { key: p384.publicKey, dsaEncoding: 'ieee-p1363' }, sig384));
const p256Rate = await rate(() => verify('sha256', tdxSigned, { key: p256.publicKey, dsaEncoding: 'ieee-p1363' }, sig256));

const job = await measureJobOverhead(quick);

writeResult({
  bench: 'compute',
  quick,
  metrics: {
    attestation_verifications_per_s_snp: Math.round(snpRate),
    attestation_verifications_per_s_tdx: Math.round(tdxRate),
    ecdsa_p384_verifies_per_s: Math.round(p384Rate),
    ecdsa_p256_verifies_per_s: Math.round(p256Rate),
    snp_to_p384_verify_ratio: Number((snpRate / p384Rate).toFixed(4)),
    tdx_to_p256_verify_ratio: Number((tdxRate / p256Rate).toFixed(4)),
    ...(await measureKeyReleases(seconds)),
    ...job.metrics,
  },
  notes:
    'One core, no caching: every verification re-parses and re-verifies the whole chain, CRLs and collateral. SNP: 1 ECDSA P-384 + 3 RSA-4096-PSS (VCEK, ASK, ARK self) + 1 RSA-PSS CRL; TDX: 2 report ECDSA P-256 + PCK chain (3) + 2 CRLs + 2 signing chains (2 each) + 2 signed JSON. The TDX run stops at the REPORTDATA binding (public quote), after all crypto. key_releases_per_s (with HPKE) belongs to the key-release bench. ' +
    `overhead_cpu: ${job.workload}; PHIGuard path = lease to completion (insecure-local attestation, HPKE key release, inputs streamed and unsealed into /dev/shm, the command, outputs sealed with new keys, uploaded and written as a dataset version, complete) against the same command on the same plaintext files in /dev/shm (medians). submit_to_start_ms: submit to the command starting (agent polling every 20 ms). overhead_gpu is not measured: no GPU was lent to this task.`,
});
