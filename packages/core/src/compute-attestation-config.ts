import path from 'node:path';

/**
 * The `attestation` section of the configuration (docs/compute/attestation.md "Configuring the
 * verifiers"): per TEE kind, the policy the control plane applies before it releases keys and the
 * files (roots, CRLs, collateral, reference values) it verifies against. Only shape and
 * paths are checked here; `@phiguard/compute` reads and parses the files when `serve` starts.
 * No network fetch happens anywhere: operators download AMD KDS, Intel PCS and NVIDIA RIM files
 * themselves and refresh them before their CRLs / nextUpdate expire.
 */
export interface AttestationConfig {
  readonly sevSnp?: SevSnpAttestationConfig;
  readonly tdx?: TdxAttestationConfig;
  readonly nvidiaGpu?: NvidiaGpuAttestationConfig;
}

/** AMD product line: selects the pinned ARK the chain must end in (KDS path `/vcek/v1/{Milan|Genoa|Turin}`). */
export const SNP_PRODUCTS = ['milan', 'genoa', 'turin'] as const;
export type SnpProductName = (typeof SNP_PRODUCTS)[number];

export interface SevSnpAttestationConfig {
  readonly product: SnpProductName;
  /** Launch MEASUREMENTs, 96 lower-case hex characters each. */
  readonly allowedMeasurements: readonly string[];
  /** Minimum REPORTED_TCB security patch levels (ABI spec Table 3); `fmc` is Turin only. */
  readonly minimumTcb: {
    readonly bootloader: number;
    readonly tee: number;
    readonly snp: number;
    readonly microcode: number;
    readonly fmc?: number;
  };
  /** Highest VMPL accepted; 0 unless set. */
  readonly maxVmpl: number;
  readonly signingKeys: readonly ('vcek' | 'vlek')[];
  /** KDS `cert_chain` PEM: ASK (or ASVK) then ARK. */
  readonly certChainFile: string;
  /** KDS CRL files (DER or PEM); at least one ARK-signed CRL. */
  readonly crlFiles: readonly string[];
  /** VCEK/VLEK files from KDS, used when the agent's certificate table carries none. */
  readonly vcekFiles: readonly string[];
}

export interface TdxAttestationConfig {
  /** MRTD values, 96 lower-case hex characters each. */
  readonly allowedMrTd: readonly string[];
  /** Per RTMR index (0..3), the allowed values; an index left out is not checked. */
  readonly allowedRtmrs: Readonly<Partial<Record<0 | 1 | 2 | 3, readonly string[]>>>;
  readonly acceptedTcbStatuses: readonly string[];
  /** Intel SGX Root CA certificate; absent: the pinned Intel root. */
  readonly rootCaFile?: string;
  /** Root CA CRL and PCK CRL (DER or PEM). */
  readonly crlFiles: readonly string[];
  /** PCS `tdx/certification/v4/tcb` bodies (`{"tcbInfo":…,"signature":…}`), one per FMSPC. */
  readonly tcbInfoFiles: readonly string[];
  /** PCS `TCB-Info-Issuer-Chain` header, URL-decoded, as PEM. */
  readonly tcbInfoIssuerChainFile: string;
  /** PCS `tdx/certification/v4/qe/identity` body (required: the verifier checks the quoting enclave). */
  readonly qeIdentityFile: string;
  /** Default: `tcbInfoIssuerChainFile` (Intel signs both with the TCB Signing key). */
  readonly qeIdentityIssuerChainFile?: string;
}

export interface NvidiaGpuAttestationConfig {
  /** RIM swidtag files (driver and VBIOS) with the reference measurements. */
  readonly referenceMeasurementFiles: readonly string[];
  /** NVIDIA Device Identity CA; absent: the pinned NVIDIA root. */
  readonly deviceRootCertFile?: string;
}

const HEX96 = /^[0-9a-fA-F]{96}$/;
const TDX_TCB_STATUSES = [
  'UpToDate',
  'SWHardeningNeeded',
  'ConfigurationNeeded',
  'ConfigurationAndSWHardeningNeeded',
  'OutOfDate',
  'OutOfDateConfigurationNeeded',
];
const DEBUG_REFUSED = 'may only be "forbidden": PHIGuard never releases keys to a debuggable guest';

/** Collects problems, each naming its config path, while reading one section. */
class Reader {
  readonly #problems: string[];
  readonly #cwd: string;
  constructor(problems: string[], cwd: string) {
    this.#problems = problems;
    this.#cwd = cwd;
  }
  problem(where: string, what: string): void {
    this.#problems.push(`${where} ${what}`);
  }
  record(v: unknown, where: string): Record<string, unknown> | undefined {
    if (isRecord(v)) return v;
    this.problem(where, 'must be an object');
    return undefined;
  }
  file(v: unknown, where: string): string | undefined {
    if (typeof v === 'string' && v !== '') return path.resolve(this.#cwd, v);
    this.problem(where, 'must be a file path');
    return undefined;
  }
  optionalFile(v: unknown, where: string): string | undefined {
    return v === undefined ? undefined : this.file(v, where);
  }
  files(v: unknown, where: string, min: number): string[] {
    if (!Array.isArray(v) || v.length < min) {
      this.problem(where, `must be a list of at least ${String(min)} file path(s)`);
      return [];
    }
    return v.map((f, i) => this.file(f, `${where}[${String(i)}]`)).filter((f): f is string => f !== undefined);
  }
  hexList(v: unknown, where: string, min: number): string[] {
    if (!Array.isArray(v) || v.length < min) {
      this.problem(where, `must be a list of at least ${String(min)} hex value(s)`);
      return [];
    }
    const out: string[] = [];
    v.forEach((h: unknown, i) => {
      if (typeof h === 'string' && HEX96.test(h)) out.push(h.toLowerCase());
      else this.problem(`${where}[${String(i)}]`, 'must be 96 hex characters (48 bytes)');
    });
    return out;
  }
  int(v: unknown, where: string, max: number): number | undefined {
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max) return v;
    this.problem(where, `must be an integer 0..${String(max)}`);
    return undefined;
  }
  debugForbidden(v: unknown, where: string): void {
    if (v !== undefined && v !== 'forbidden') this.problem(where, DEBUG_REFUSED);
  }
  unknownKeys(v: Record<string, unknown>, where: string, known: readonly string[]): void {
    for (const key of Object.keys(v)) if (!known.includes(key)) this.problem(`${where}.${key}`, 'is not a known setting');
  }
}

function sevSnp(r: Reader, raw: unknown, where: string): SevSnpAttestationConfig | undefined {
  const v = r.record(raw, where);
  if (v === undefined) return undefined;
  r.unknownKeys(v, where, [
    'product',
    'allowedMeasurements',
    'minimumTcb',
    'maxVmpl',
    'signingKeys',
    'certChainFile',
    'crlFiles',
    'vcekFiles',
    'debug',
  ]);
  r.debugForbidden(v.debug, `${where}.debug`);
  const product = SNP_PRODUCTS.find((p) => p === (typeof v.product === 'string' ? v.product.toLowerCase() : undefined));
  if (product === undefined) r.problem(`${where}.product`, `must be one of ${SNP_PRODUCTS.join(', ')}`);
  const allowedMeasurements = r.hexList(v.allowedMeasurements, `${where}.allowedMeasurements`, 1);
  const tcb = r.record(v.minimumTcb, `${where}.minimumTcb`);
  const spl = (k: string): number | undefined => (tcb === undefined ? undefined : r.int(tcb[k], `${where}.minimumTcb.${k}`, 255));
  const [bootloader, tee, snp, microcode] = [spl('bootloader'), spl('tee'), spl('snp'), spl('microcode')];
  const fmc = tcb?.fmc === undefined ? undefined : spl('fmc');
  const maxVmpl = v.maxVmpl === undefined ? 0 : r.int(v.maxVmpl, `${where}.maxVmpl`, 3);
  const keys = v.signingKeys ?? ['vcek', 'vlek'];
  const signingKeys =
    Array.isArray(keys) && keys.length > 0 && keys.every((k) => k === 'vcek' || k === 'vlek') ? (keys as ('vcek' | 'vlek')[]) : undefined;
  if (signingKeys === undefined) r.problem(`${where}.signingKeys`, 'must be a non-empty list of "vcek" and/or "vlek"');
  const certChainFile = r.file(v.certChainFile, `${where}.certChainFile`);
  const crlFiles = r.files(v.crlFiles, `${where}.crlFiles`, 1);
  const vcekFiles = v.vcekFiles === undefined ? [] : r.files(v.vcekFiles, `${where}.vcekFiles`, 0);
  if (
    product === undefined ||
    bootloader === undefined ||
    tee === undefined ||
    snp === undefined ||
    microcode === undefined ||
    maxVmpl === undefined ||
    signingKeys === undefined ||
    certChainFile === undefined
  ) {
    return undefined;
  }
  const minimumTcb = fmc === undefined ? { bootloader, tee, snp, microcode } : { bootloader, tee, snp, microcode, fmc };
  return { product, allowedMeasurements, minimumTcb, maxVmpl, signingKeys, certChainFile, crlFiles, vcekFiles };
}

function tdx(r: Reader, raw: unknown, where: string): TdxAttestationConfig | undefined {
  const v = r.record(raw, where);
  if (v === undefined) return undefined;
  r.unknownKeys(v, where, [
    'allowedMrTd',
    'allowedRtmrs',
    'acceptedTcbStatuses',
    'rootCaFile',
    'crlFiles',
    'tcbInfoFiles',
    'tcbInfoIssuerChainFile',
    'qeIdentityFile',
    'qeIdentityIssuerChainFile',
    'debug',
  ]);
  r.debugForbidden(v.debug, `${where}.debug`);
  const allowedMrTd = r.hexList(v.allowedMrTd, `${where}.allowedMrTd`, 1);
  const allowedRtmrs: Partial<Record<0 | 1 | 2 | 3, string[]>> = {};
  if (v.allowedRtmrs !== undefined) {
    const rt = r.record(v.allowedRtmrs, `${where}.allowedRtmrs`) ?? {};
    for (const [key, list] of Object.entries(rt)) {
      if (key === '0' || key === '1' || key === '2' || key === '3')
        allowedRtmrs[Number(key) as 0 | 1 | 2 | 3] = r.hexList(list, `${where}.allowedRtmrs.${key}`, 1);
      else r.problem(`${where}.allowedRtmrs.${key}`, 'is not an RTMR index (0, 1, 2 or 3)');
    }
  }
  const statuses = v.acceptedTcbStatuses ?? ['UpToDate'];
  const acceptedTcbStatuses =
    Array.isArray(statuses) && statuses.length > 0 && statuses.every((s) => typeof s === 'string' && TDX_TCB_STATUSES.includes(s))
      ? (statuses as string[])
      : undefined;
  if (acceptedTcbStatuses === undefined)
    r.problem(`${where}.acceptedTcbStatuses`, `must be a non-empty list of ${TDX_TCB_STATUSES.join(', ')}`);
  else if (acceptedTcbStatuses.some((s) => s.startsWith('OutOfDate')))
    r.problem(`${where}.acceptedTcbStatuses`, 'must not accept OutOfDate platforms (known, fixed vulnerabilities)');
  const rootCaFile = r.optionalFile(v.rootCaFile, `${where}.rootCaFile`);
  const crlFiles = r.files(v.crlFiles, `${where}.crlFiles`, 1);
  const tcbInfoFiles = r.files(v.tcbInfoFiles, `${where}.tcbInfoFiles`, 1);
  const tcbInfoIssuerChainFile = r.file(v.tcbInfoIssuerChainFile, `${where}.tcbInfoIssuerChainFile`);
  const qeIdentityFile = r.file(v.qeIdentityFile, `${where}.qeIdentityFile`);
  const qeIdentityIssuerChainFile = r.optionalFile(v.qeIdentityIssuerChainFile, `${where}.qeIdentityIssuerChainFile`);
  if (acceptedTcbStatuses === undefined || tcbInfoIssuerChainFile === undefined || qeIdentityFile === undefined) return undefined;
  return {
    allowedMrTd,
    allowedRtmrs,
    acceptedTcbStatuses,
    crlFiles,
    tcbInfoFiles,
    tcbInfoIssuerChainFile,
    qeIdentityFile,
    ...(rootCaFile === undefined ? {} : { rootCaFile }),
    ...(qeIdentityIssuerChainFile === undefined ? {} : { qeIdentityIssuerChainFile }),
  };
}

function nvidiaGpu(r: Reader, raw: unknown, where: string): NvidiaGpuAttestationConfig | undefined {
  const v = r.record(raw, where);
  if (v === undefined) return undefined;
  r.unknownKeys(v, where, ['referenceMeasurementFiles', 'deviceRootCertFile']);
  const referenceMeasurementFiles = r.files(v.referenceMeasurementFiles, `${where}.referenceMeasurementFiles`, 1);
  const deviceRootCertFile = r.optionalFile(v.deviceRootCertFile, `${where}.deviceRootCertFile`);
  return { referenceMeasurementFiles, ...(deviceRootCertFile === undefined ? {} : { deviceRootCertFile }) };
}

/**
 * Validates the optional `attestation` section; problems (each naming its path, e.g.
 * `attestation.sevSnp.allowedMeasurements[1] must be 96 hex characters`) are appended.
 * Relative file paths resolve against `cwd`.
 */
export function validateAttestationConfig(raw: unknown, cwd: string, problems: string[]): AttestationConfig | undefined {
  if (raw === undefined) return undefined;
  const r = new Reader(problems, cwd);
  const v = r.record(raw, 'attestation');
  if (v === undefined) return undefined;
  r.unknownKeys(v, 'attestation', ['sevSnp', 'tdx', 'nvidiaGpu']);
  const out: { sevSnp?: SevSnpAttestationConfig; tdx?: TdxAttestationConfig; nvidiaGpu?: NvidiaGpuAttestationConfig } = {};
  if (v.sevSnp !== undefined) {
    const s = sevSnp(r, v.sevSnp, 'attestation.sevSnp');
    if (s !== undefined) out.sevSnp = s;
  }
  if (v.tdx !== undefined) {
    const t = tdx(r, v.tdx, 'attestation.tdx');
    if (t !== undefined) out.tdx = t;
  }
  if (v.nvidiaGpu !== undefined) {
    const g = nvidiaGpu(r, v.nvidiaGpu, 'attestation.nvidiaGpu');
    if (g !== undefined) out.nvidiaGpu = g;
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
