import { ComputeError } from '../../compute-error.ts';

/** Size of an SEV-SNP ATTESTATION_REPORT (AMD SEV-SNP ABI spec §7.3, Table 23): 0x4A0. */
export const SNP_REPORT_SIZE = 0x4a0;
/** The signature covers bytes 0x000..0x29F (Table 23, SIGNATURE at 0x2A0). */
export const SNP_SIGNED_SIZE = 0x2a0;

/**
 * TCB_VERSION (ABI spec Table 3, and Turin's layout with FMC first). Milan/Genoa: byte 0
 * bootloader, 1 TEE, 6 SNP, 7 microcode. Turin (family 1Ah): byte 0 FMC, 1 bootloader, 2 TEE,
 * 3 SNP, 7 microcode.
 */
export interface SnpTcb {
  readonly raw: bigint;
  readonly fmc?: number;
  readonly bootloader: number;
  readonly tee: number;
  readonly snp: number;
  readonly microcode: number;
}

export type SnpProduct = 'milan-genoa' | 'turin';

export interface SnpReport {
  readonly version: number;
  readonly guestSvn: number;
  readonly policy: bigint;
  /** GUEST_POLICY bit 19 (Table 9): debugging allowed. */
  readonly debugAllowed: boolean;
  readonly familyId: Uint8Array;
  readonly imageId: Uint8Array;
  readonly vmpl: number;
  readonly signatureAlgo: number;
  readonly currentTcb: SnpTcb;
  readonly platformInfo: bigint;
  /** Bits 4:2 of the flags at 0x48: 0 = VCEK, 1 = VLEK, 7 = none. */
  readonly signingKey: number;
  readonly reportData: Uint8Array;
  readonly measurement: Uint8Array;
  readonly hostData: Uint8Array;
  readonly idKeyDigest: Uint8Array;
  readonly authorKeyDigest: Uint8Array;
  readonly reportId: Uint8Array;
  readonly reportIdMa: Uint8Array;
  readonly reportedTcb: SnpTcb;
  /** CPUID family/model/stepping (report version ≥ 3), else undefined. */
  readonly cpuid: { readonly family: number; readonly model: number; readonly stepping: number } | undefined;
  readonly product: SnpProduct;
  readonly chipId: Uint8Array;
  readonly committedTcb: SnpTcb;
  readonly currentVersion: string;
  readonly committedVersion: string;
  readonly launchTcb: SnpTcb;
  readonly signedBytes: Uint8Array;
  /** Signature R and S as big-endian 48-byte values (the report stores them little-endian in 72 bytes). */
  readonly signatureR: Uint8Array;
  readonly signatureS: Uint8Array;
}

function tcb(raw: bigint, product: SnpProduct): SnpTcb {
  const byte = (i: number): number => Number((raw >> BigInt(8 * i)) & 0xffn);
  if (product === 'turin') return { raw, fmc: byte(0), bootloader: byte(1), tee: byte(2), snp: byte(3), microcode: byte(7) };
  return { raw, bootloader: byte(0), tee: byte(1), snp: byte(6), microcode: byte(7) };
}

/** Big-endian copy of a little-endian 72-byte field, checked to fit 48 bytes (P-384). */
function sigComponent(le: Uint8Array): Uint8Array {
  for (let i = 48; i < 72; i++)
    if (le[i] !== 0) throw new ComputeError('evidence-malformed', 'signature component too long', { place: { field: 'signature' } });
  return Uint8Array.from(le.subarray(0, 48)).reverse();
}

/**
 * Parses a raw 1184-byte SEV-SNP attestation report (ABI spec §7.3 Table 23). Versions 2..5
 * accepted. Throws {@link ComputeError} `evidence-malformed` for anything else.
 */
export function parseSnpReport(bytes: Uint8Array): SnpReport {
  if (bytes.length !== SNP_REPORT_SIZE)
    throw new ComputeError('evidence-malformed', 'report is not 1184 bytes', { place: { field: 'report' } });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (o: number): number => view.getUint32(o, true);
  const u64 = (o: number): bigint => view.getBigUint64(o, true);
  const slice = (o: number, n: number): Uint8Array => Uint8Array.from(bytes.subarray(o, o + n));
  // The rest of the SIGNATURE field (0x330..0x49F) is reserved and unsigned: it must be zero, so
  // that no unauthenticated bytes ride along with accepted evidence.
  for (let i = 0x330; i < SNP_REPORT_SIZE; i++)
    if (bytes[i] !== 0)
      throw new ComputeError('evidence-malformed', 'reserved bytes after the signature are not zero', { place: { index: i } });
  const version = u32(0x00);
  if (version < 2 || version > 5)
    throw new ComputeError('evidence-malformed', 'unsupported report version', { place: { field: 'version' } });
  const cpuid =
    version >= 3 ? { family: bytes[0x188] as number, model: bytes[0x189] as number, stepping: bytes[0x18a] as number } : undefined;
  // Turin is family 1Ah (report v3+ carries CPUID_FAM_ID); Milan and Genoa are family 19h.
  const product: SnpProduct = cpuid?.family === 0x1a ? 'turin' : 'milan-genoa';
  const policy = u64(0x08);
  const ver = (o: number): string => `${String(bytes[o + 2])}.${String(bytes[o + 1])}.${String(bytes[o])}`;
  return Object.freeze({
    version,
    guestSvn: u32(0x04),
    policy,
    debugAllowed: ((policy >> 19n) & 1n) === 1n,
    familyId: slice(0x10, 16),
    imageId: slice(0x20, 16),
    vmpl: u32(0x30),
    signatureAlgo: u32(0x34),
    currentTcb: tcb(u64(0x38), product),
    platformInfo: u64(0x40),
    signingKey: (u32(0x48) >> 2) & 0x7,
    reportData: slice(0x50, 64),
    measurement: slice(0x90, 48),
    hostData: slice(0xc0, 32),
    idKeyDigest: slice(0xe0, 48),
    authorKeyDigest: slice(0x110, 48),
    reportId: slice(0x140, 32),
    reportIdMa: slice(0x160, 32),
    reportedTcb: tcb(u64(0x180), product),
    cpuid,
    product,
    chipId: slice(0x1a0, 64),
    committedTcb: tcb(u64(0x1e0), product),
    currentVersion: ver(0x1e8),
    committedVersion: ver(0x1ec),
    launchTcb: tcb(u64(0x1f0), product),
    signedBytes: slice(0, SNP_SIGNED_SIZE),
    signatureR: sigComponent(bytes.subarray(0x2a0, 0x2a0 + 72)),
    signatureS: sigComponent(bytes.subarray(0x2e8, 0x2e8 + 72)),
  });
}
