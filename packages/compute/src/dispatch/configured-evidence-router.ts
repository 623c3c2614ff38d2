import { readFile } from 'node:fs/promises';
import type {
  AttestationConfig,
  NvidiaGpuAttestationConfig,
  SevSnpAttestationConfig,
  SnpProductName,
  TdxAttestationConfig,
} from '@phiguard/core';
import { ComputeError } from '../compute-error.ts';
import { GpuVerifier, type GpuEvidence, type GpuPolicy } from '../attestation/nvidia/gpu-verifier.ts';
import { NVIDIA_DEVICE_ROOT_FINGERPRINTS } from '../attestation/nvidia/nvidia-roots.ts';
import { parseSnpReport } from '../attestation/sev-snp/snp-report.ts';
import { SnpVerifier, type SnpEvidence, type SnpPolicy } from '../attestation/sev-snp/snp-verifier.ts';
import { vcekExtensions } from '../attestation/sev-snp/vcek-extensions.ts';
import { INTEL_SGX_ROOT_FINGERPRINTS } from '../attestation/tdx/intel-roots.ts';
import { pckExtensions } from '../attestation/tdx/pck-extensions.ts';
import { splitPcsBody, type TdxCollateral } from '../attestation/tdx/tdx-collateral.ts';
import { parseTdxQuote } from '../attestation/tdx/tdx-quote.ts';
import { pckCertificates, TdxVerifier, type TdxEvidence, type TdxPolicy } from '../attestation/tdx/tdx-verifier.ts';
import { parseCertificate, pemBlocks, type Certificate } from '../attestation/x509/certificate.ts';
import { parseCrl } from '../attestation/x509/crl.ts';
import { sameBytes } from '../attestation/report-data-binding.ts';
import { EvidenceRouter, wireBytes, type WireEvidence } from './evidence-router.ts';
import { parseSnpCertTable } from './snp-cert-table.ts';

/** The pinned ARK of each AMD product line (the values of `AMD_ARK_FINGERPRINTS`, amd-roots.ts). */
export const AMD_ARK_BY_PRODUCT: Readonly<Record<SnpProductName, string>> = {
  milan: 'sha256:69d063b45344d26a2e94e1f4210de49ef555308287d4c174445c95639a540bcd',
  genoa: 'sha256:4c6598d19c18719c5dfd4a7d335f674e5bfe1d8f800cea2cf270c10d103db2f1',
  turin: 'sha256:1f084161a44bb6d93778a904877d4819cafa5d05ef4193b2ded9dd9c73dd3f6a',
};

export interface ConfiguredRouterOptions {
  /** Operator notices (a root that is not the vendor's pinned one); never PHI. */
  readonly warn?: (line: string) => void;
}

function bad(field: string, file: string | undefined, message: string, cause?: unknown): never {
  throw new ComputeError('invalid-input', message, {
    place: file === undefined ? { field } : { field, file },
    hint: 'see docs/compute/attestation.md "Configuring the verifiers"',
    ...(cause === undefined ? {} : { cause }),
  });
}

async function readBytes(file: string, field: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (cause) {
    return bad(field, file, 'cannot read the file', cause);
  }
}

/** Parses with `parse`, turning any failure into an error that names the config field and file. */
async function load<T>(file: string, field: string, what: string, parse: (bytes: Buffer) => T): Promise<T> {
  const bytes = await readBytes(file, field);
  try {
    return parse(bytes);
  } catch (cause) {
    return bad(field, file, `the file is not ${what}`, cause);
  }
}

const certificates = (bytes: Buffer): Certificate[] => {
  const blocks = pemBlocks(bytes.toString('latin1'));
  const certs = (blocks.length > 0 ? blocks : [new Uint8Array(bytes)]).map((d) => parseCertificate(d));
  if (certs.length === 0) throw new TypeError('no certificate');
  return certs;
};

// ---------------------------------------------------------------- AMD SEV-SNP

async function snpRoute(c: SevSnpAttestationConfig, where: string) {
  const chainText = await load(c.certChainFile, `${where}.certChainFile`, 'a PEM ASK/ARK chain', (b) => {
    const text = b.toString('utf8');
    if (pemBlocks(text).map((d) => parseCertificate(d)).length < 2) throw new TypeError('expected ASK (or ASVK) then ARK');
    return text;
  });
  const ark = pemBlocks(chainText)
    .map((d) => parseCertificate(d))
    .at(-1) as Certificate;
  const pinned = AMD_ARK_BY_PRODUCT[c.product];
  if (ark.fingerprint !== pinned) bad(`${where}.certChainFile`, c.certChainFile, `the chain does not end in AMD's ARK-${c.product}`);
  const crls = await Promise.all(
    c.crlFiles.map((f, i) =>
      load(f, `${where}.crlFiles[${String(i)}]`, 'a CRL (DER or PEM)', (b) => (parseCrl(new Uint8Array(b)), new Uint8Array(b))),
    ),
  );
  const vceks = await Promise.all(
    c.vcekFiles.map((f, i) =>
      load(f, `${where}.vcekFiles[${String(i)}]`, 'a VCEK/VLEK certificate', (b) => {
        const cert = parseCertificate(new Uint8Array(b));
        return { cert, ext: vcekExtensions(cert) };
      }),
    ),
  );
  const policy: SnpPolicy = {
    allowedMeasurements: c.allowedMeasurements,
    minimumTcb: c.minimumTcb,
    maxVmpl: c.maxVmpl,
    signingKeys: c.signingKeys,
    trustedRoots: new Set([pinned]),
    requireCrls: 'root',
  };
  /** The agent's cert table VCEK/VLEK, else the configured VCEK for this chip and reported TCB. */
  const decode = (w: WireEvidence): SnpEvidence | undefined => {
    const report = wireBytes(w, 'report');
    const table = w.certTable === undefined ? new Uint8Array() : wireBytes(w, 'certTable');
    const certs = table === undefined ? undefined : parseSnpCertTable(table);
    if (report === undefined || certs === undefined) return undefined;
    let vcek: Uint8Array | undefined = certs.vcek ?? certs.vlek;
    if (vcek === undefined) {
      const r = parseSnpReport(report);
      vcek = vceks.find(
        ({ ext }) =>
          ext.hwId !== undefined &&
          sameBytes(ext.hwId, r.chipId.subarray(0, ext.hwId.length)) &&
          ext.bootloader === r.reportedTcb.bootloader &&
          ext.tee === r.reportedTcb.tee &&
          ext.snp === r.reportedTcb.snp &&
          ext.microcode === r.reportedTcb.microcode,
      )?.cert.der;
    }
    return vcek === undefined ? undefined : { report, vcek, certChain: chainText, crls };
  };
  return { decode, verifier: new SnpVerifier(), policy };
}

// ---------------------------------------------------------------- Intel TDX

async function tdxRoute(c: TdxAttestationConfig, where: string, warn: (line: string) => void) {
  const pem = (b: Buffer): string => {
    const text = b.toString('utf8');
    if (pemBlocks(text).map((d) => parseCertificate(d)).length === 0) throw new TypeError('no PEM certificate');
    return text;
  };
  const tcbInfoIssuerChain = await load(c.tcbInfoIssuerChainFile, `${where}.tcbInfoIssuerChainFile`, 'a PEM certificate chain', pem);
  const qeIdentityIssuerChain =
    c.qeIdentityIssuerChainFile === undefined
      ? tcbInfoIssuerChain
      : await load(c.qeIdentityIssuerChainFile, `${where}.qeIdentityIssuerChainFile`, 'a PEM certificate chain', pem);
  const qe = await load(c.qeIdentityFile, `${where}.qeIdentityFile`, 'an Intel PCS QE identity body', (b) =>
    splitPcsBody(b.toString('utf8')),
  );
  const crls = await Promise.all(
    c.crlFiles.map((f, i) =>
      load(f, `${where}.crlFiles[${String(i)}]`, 'a CRL (DER or PEM)', (b) => (parseCrl(new Uint8Array(b)), new Uint8Array(b))),
    ),
  );
  const byFmspc = new Map<string, TdxCollateral>();
  for (const [i, f] of c.tcbInfoFiles.entries()) {
    const field = `${where}.tcbInfoFiles[${String(i)}]`;
    const body = await load(f, field, 'an Intel PCS TDX TCB info body', (b) => {
      const split = splitPcsBody(b.toString('utf8'));
      const fmspc = (JSON.parse(split.signed) as { fmspc?: unknown }).fmspc;
      if (typeof fmspc !== 'string') throw new TypeError('tcbInfo has no fmspc');
      return { ...split, fmspc: fmspc.toLowerCase() };
    });
    if (byFmspc.has(body.fmspc)) bad(field, f, 'a TCB info for this FMSPC is already configured');
    byFmspc.set(body.fmspc, {
      tcbInfo: body.signed,
      tcbInfoSignature: body.signature,
      tcbInfoIssuerChain,
      qeIdentity: qe.signed,
      qeIdentitySignature: qe.signature,
      qeIdentityIssuerChain,
      crls,
    });
  }
  let trustedRoots = INTEL_SGX_ROOT_FINGERPRINTS;
  if (c.rootCaFile !== undefined) {
    const root = await load(c.rootCaFile, `${where}.rootCaFile`, 'a certificate', certificates);
    trustedRoots = new Set([(root[0] as Certificate).fingerprint]);
    if (!INTEL_SGX_ROOT_FINGERPRINTS.has((root[0] as Certificate).fingerprint))
      warn(`${where}.rootCaFile is not Intel's SGX Root CA: TDX quotes chain to this root instead`);
  }
  const policy: TdxPolicy = {
    allowedMrTd: c.allowedMrTd,
    allowedRtmrs: c.allowedRtmrs,
    acceptedTcbStatuses: c.acceptedTcbStatuses,
    trustedRoots,
    requireCrls: 'every-ca',
    requireQeIdentity: true,
  };
  const first = [...byFmspc.values()][0] as TdxCollateral;
  /** Collateral for the FMSPC in the quote's PCK certificate; otherwise the first (the verifier then refuses the mismatch). */
  const decode = (w: WireEvidence): TdxEvidence | undefined => {
    const quote = wireBytes(w, 'quote');
    if (quote === undefined) return undefined;
    let collateral = first;
    try {
      const leaf = pckCertificates(parseTdxQuote(quote).pckChain)[0];
      if (leaf !== undefined) collateral = byFmspc.get(pckExtensions(leaf).fmspc.toLowerCase()) ?? first;
    } catch {
      // A quote that does not parse is refused by the verifier with its own reason.
    }
    return { quote, collateral };
  };
  return { decode, verifier: new TdxVerifier(), policy };
}

// ---------------------------------------------------------------- NVIDIA GPU

async function gpuRoute(c: NvidiaGpuAttestationConfig, where: string, warn: (line: string) => void) {
  const rims = await Promise.all(
    c.referenceMeasurementFiles.map((f, i) =>
      load(f, `${where}.referenceMeasurementFiles[${String(i)}]`, 'a RIM swidtag', (b) => {
        const text = b.toString('utf8');
        if (!text.includes('SoftwareIdentity')) throw new TypeError('not a SWID tag');
        return text;
      }),
    ),
  );
  let trustedRoots = NVIDIA_DEVICE_ROOT_FINGERPRINTS;
  if (c.deviceRootCertFile !== undefined) {
    const root = (await load(c.deviceRootCertFile, `${where}.deviceRootCertFile`, 'a certificate', certificates))[0] as Certificate;
    trustedRoots = new Set([root.fingerprint]);
    if (!NVIDIA_DEVICE_ROOT_FINGERPRINTS.has(root.fingerprint))
      warn(`${where}.deviceRootCertFile is not NVIDIA's Device Identity CA: GPU reports chain to this root instead`);
  }
  const policy: GpuPolicy = { rims, trustedRoots };
  const decode = (w: WireEvidence): GpuEvidence | undefined => {
    const report = wireBytes(w, 'report');
    const certChain = w.certChain;
    return report === undefined || typeof certChain !== 'string' || certChain.length > 1_000_000 ? undefined : { report, certChain };
  };
  return { decode, verifier: new GpuVerifier(), policy };
}

/**
 * The control plane's CPU evidence router from the `attestation` configuration: `insecure-local`
 * (still refused for PHI without the dev flag) plus each configured CPU TEE, each with the decoder
 * for the agent's wire form — `sev-snp`: `{report, certTable}` (configfs-tsm outblob/auxblob,
 * base64), `tdx`: `{quote}` (outblob, base64). Files are read and parsed once, here: a missing or
 * malformed one is a {@link ComputeError} naming the config field and file, so `serve` fails at
 * start rather than refusing every node later.
 */
export async function configuredEvidenceRouter(
  config: AttestationConfig | undefined,
  options: ConfiguredRouterOptions = {},
): Promise<EvidenceRouter> {
  const warn = options.warn ?? ((): void => undefined);
  const router = new EvidenceRouter().withInsecureLocal();
  if (config?.sevSnp !== undefined) router.register('sev-snp', await snpRoute(config.sevSnp, 'attestation.sevSnp'));
  if (config?.tdx !== undefined) router.register('tdx', await tdxRoute(config.tdx, 'attestation.tdx', warn));
  return router;
}

/**
 * The GPU verifier for `KeyReleaser`'s `gpuVerifier` (GPU evidence is checked beside the CPU TEE's,
 * bound to the same nonce and key, never instead of it): a router with the one kind `nvidia-gpu`,
 * wire form `{kind, report (base64), certChain (PEM)}`. Undefined when `nvidiaGpu` is not configured.
 */
export async function configuredGpuEvidenceRouter(
  config: AttestationConfig | undefined,
  options: ConfiguredRouterOptions = {},
): Promise<EvidenceRouter | undefined> {
  if (config?.nvidiaGpu === undefined) return undefined;
  return new EvidenceRouter().register(
    'nvidia-gpu',
    await gpuRoute(config.nvidiaGpu, 'attestation.nvidiaGpu', options.warn ?? ((): void => undefined)),
  );
}
