import { ComputeError } from '../../compute-error.ts';

/**
 * An NVIDIA GPU attestation report: the SPDM 1.1 GET_MEASUREMENTS request (DMTF DSP0274 §10.11.1,
 * 37 bytes: version 0x11, code 0xE0, param1 = signature requested, param2 = 0xFF all blocks,
 * nonce[32], slot) followed by the MEASUREMENTS response (§10.11.2: header, NumberOfBlocks,
 * MeasurementRecordLength (3 bytes), measurement blocks (§10.11.2.1), nonce[32], OpaqueLength,
 * opaque data, signature). NVIDIA signs with ECDSA P-384/SHA-384, signature r ‖ s (96 bytes).
 */
export interface SpdmReport {
  readonly requestNonce: Uint8Array;
  readonly slot: number;
  readonly responseNonce: Uint8Array;
  /** Measurement values by block index (1-based, as in SPDM). */
  readonly measurements: ReadonlyMap<number, Uint8Array>;
  /** Opaque data TLVs (NVIDIA: type u16, length u16, value) by type. */
  readonly opaque: ReadonlyMap<number, Uint8Array>;
  readonly signedBytes: Uint8Array;
  readonly signature: Uint8Array;
}

/** NVIDIA opaque data types used here (nvtrust local_gpu_verifier OpaqueDataParser). */
export const NV_OPAQUE = { DRIVER_VERSION: 3, VBIOS_VERSION: 6, FWID: 20 } as const;

function malformed(what: string, index: number): never {
  throw new ComputeError('evidence-malformed', `malformed SPDM report: ${what}`, { place: { index } });
}

const SIGNATURE_SIZE = 96;

export function parseSpdmReport(bytes: Uint8Array): SpdmReport {
  const need = (pos: number, n: number, what: string): void => {
    if (pos + n > bytes.length) malformed(`${what} past end`, pos);
  };
  need(0, 37, 'request');
  if (bytes[0] !== 0x11 || bytes[1] !== 0xe0 || bytes[2] !== 0x01 || bytes[3] !== 0xff)
    malformed('not a signed GET_MEASUREMENTS (all blocks) request', 0);
  const requestNonce = Uint8Array.from(bytes.subarray(4, 36));
  const slot = bytes[36] as number;
  let pos = 37;
  need(pos, 8, 'response header');
  if (bytes[pos] !== 0x11 || bytes[pos + 1] !== 0x60) malformed('not an SPDM 1.1 MEASUREMENTS response', pos);
  const count = bytes[pos + 4] as number;
  const recordLength = (bytes[pos + 5] as number) | ((bytes[pos + 6] as number) << 8) | ((bytes[pos + 7] as number) << 16);
  pos += 8;
  need(pos, recordLength, 'measurement record');
  const recordEnd = pos + recordLength;
  const measurements = new Map<number, Uint8Array>();
  for (let i = 0; i < count; i++) {
    if (pos + 4 > recordEnd) malformed('measurement block past record', pos);
    const index = bytes[pos] as number;
    const size = (bytes[pos + 2] as number) | ((bytes[pos + 3] as number) << 8);
    pos += 4;
    if (pos + size > recordEnd || size < 3) malformed('measurement past record', pos);
    const valueSize = (bytes[pos + 1] as number) | ((bytes[pos + 2] as number) << 8);
    if (valueSize + 3 !== size) malformed('measurement value size disagrees', pos);
    if (measurements.has(index)) malformed('duplicate measurement index', pos);
    measurements.set(index, Uint8Array.from(bytes.subarray(pos + 3, pos + size)));
    pos += size;
  }
  if (pos !== recordEnd) malformed('measurement record length disagrees with its blocks', pos);
  need(pos, 34, 'nonce and opaque length');
  const responseNonce = Uint8Array.from(bytes.subarray(pos, pos + 32));
  const opaqueLength = (bytes[pos + 32] as number) | ((bytes[pos + 33] as number) << 8);
  pos += 34;
  need(pos, opaqueLength, 'opaque data');
  const opaque = new Map<number, Uint8Array>();
  const opaqueEnd = pos + opaqueLength;
  for (let p = pos; p < opaqueEnd;) {
    if (p + 4 > opaqueEnd) malformed('opaque TLV past end', p);
    const type = (bytes[p] as number) | ((bytes[p + 1] as number) << 8);
    const len = (bytes[p + 2] as number) | ((bytes[p + 3] as number) << 8);
    if (p + 4 + len > opaqueEnd) malformed('opaque value past end', p);
    opaque.set(type, Uint8Array.from(bytes.subarray(p + 4, p + 4 + len)));
    p += 4 + len;
  }
  pos = opaqueEnd;
  need(pos, SIGNATURE_SIZE, 'signature');
  const signature = Uint8Array.from(bytes.subarray(pos, pos + SIGNATURE_SIZE));
  // Some captures carry zero padding after the signature (trustee hopper_coco_report1); nothing else is allowed.
  for (let i = pos + SIGNATURE_SIZE; i < bytes.length; i++) if (bytes[i] !== 0) malformed('trailing bytes after the signature', i);
  return Object.freeze({
    requestNonce,
    slot,
    responseNonce,
    measurements,
    opaque,
    signedBytes: Uint8Array.from(bytes.subarray(0, pos)),
    signature,
  });
}
