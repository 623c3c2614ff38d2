// Test support: builds DICOM bytes by hand, so tests can make shapes a writer would refuse (wrong
// VRs, odd lengths, NUL padding, undefined lengths, elements out of place). PS3.5 §7.1, §7.5.
import { deflateRawSync } from 'node:zlib';
import fc from 'fast-check';

export interface Enc {
  readonly explicitVr: boolean;
  readonly littleEndian: boolean;
}

export const EXPLICIT_LE: Enc = { explicitVr: true, littleEndian: true };
export const IMPLICIT_LE: Enc = { explicitVr: false, littleEndian: true };
export const EXPLICIT_BE: Enc = { explicitVr: true, littleEndian: false };

const LONG = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV']);

/** A built element: its tag (for sorting) and a function giving its bytes in an encoding. */
export interface Built {
  readonly tag: number;
  readonly bytes: (enc: Enc) => Buffer;
}

function u16(v: number, le: boolean): Buffer {
  const b = Buffer.alloc(2);
  if (le) b.writeUInt16LE(v);
  else b.writeUInt16BE(v);
  return b;
}

function u32(v: number, le: boolean): Buffer {
  const b = Buffer.alloc(4);
  if (le) b.writeUInt32LE(v >>> 0);
  else b.writeUInt32BE(v >>> 0);
  return b;
}

function head(tag: number, vr: string, length: number, enc: Enc): Buffer {
  const t = Buffer.concat([u16(tag >>> 16, enc.littleEndian), u16(tag & 0xffff, enc.littleEndian)]);
  if (!enc.explicitVr || tag >>> 16 === 0xfffe) return Buffer.concat([t, u32(length, enc.littleEndian)]);
  if (LONG.has(vr)) return Buffer.concat([t, Buffer.from(vr, 'latin1'), Buffer.alloc(2), u32(length, enc.littleEndian)]);
  return Buffer.concat([t, Buffer.from(vr, 'latin1'), u16(length, enc.littleEndian)]);
}

/** An element with exactly these value bytes (no padding added: odd lengths stay odd). */
export function raw(tag: number, vr: string, value: Uint8Array | string): Built {
  const v = typeof value === 'string' ? Buffer.from(value, 'latin1') : Buffer.from(value);
  return named(`${hex(tag)} ${vr} (${String(v.length)} bytes)`, { tag, bytes: (enc) => Buffer.concat([head(tag, vr, v.length, enc), v]) });
}

function hex(tag: number): string {
  const h = tag.toString(16).toUpperCase().padStart(8, '0');
  return `(${h.slice(0, 4)},${h.slice(4)})`;
}

/** Counterexamples print as tags and shapes (fast-check's toString hook), never as the seeded values. */
function named(label: string, b: Built): Built {
  return Object.assign(b, { [fc.toStringMethod]: () => label });
}

/** A string element padded to even length with a space, as PS3.5 §6.2 says. */
export function str(tag: number, vr: string, value: string | Uint8Array): Built {
  const v = typeof value === 'string' ? Buffer.from(value, 'latin1') : Buffer.from(value);
  return raw(tag, vr, v.length % 2 === 0 ? v : Buffer.concat([v, Buffer.from(vr === 'UI' ? '\0' : ' ')]));
}

export interface ItemSpec {
  readonly elements: readonly Built[];
  readonly undefinedLength?: boolean;
}

/** A sequence (SQ, or UN holding Implicit VR LE items, PS3.5 §6.2.2) of defined or undefined length. */
export function seq(tag: number, items: readonly ItemSpec[], options: { undefinedLength?: boolean; vr?: 'SQ' | 'UN' } = {}): Built {
  const vr = options.vr ?? 'SQ';
  const label = `${hex(tag)} ${vr}${options.undefinedLength === true ? ' undefined length' : ''} [${items.map((i) => `{${i.elements.map((e) => fc.stringify(e)).join(', ')}}`).join(', ')}]`;
  return named(label, {
    tag,
    bytes: (enc) => {
      const itemEnc = vr === 'UN' ? IMPLICIT_LE : enc;
      const body = Buffer.concat(
        items.map((item) => {
          const content = Buffer.concat(sorted(item.elements).map((e) => e.bytes(itemEnc)));
          if (item.undefinedLength === true)
            return Buffer.concat([head(0xfffee000, '', 0xffffffff, itemEnc), content, head(0xfffee00d, '', 0, itemEnc)]);
          return Buffer.concat([head(0xfffee000, '', content.length, itemEnc), content]);
        }),
      );
      if (options.undefinedLength === true) return Buffer.concat([head(tag, vr, 0xffffffff, enc), body, head(0xfffee0dd, '', 0, itemEnc)]);
      return Buffer.concat([head(tag, vr, body.length, enc), body]);
    },
  });
}

function sorted(elements: readonly Built[]): Built[] {
  return [...elements].sort((a, b) => a.tag - b.tag);
}

export const TS = {
  implicitLe: '1.2.840.10008.1.2',
  explicitLe: '1.2.840.10008.1.2.1',
  deflated: '1.2.840.10008.1.2.1.99',
  explicitBe: '1.2.840.10008.1.2.2',
} as const;

/**
 * A Part 10 file: preamble, `DICM`, meta (group length computed; `extraMeta` added as given),
 * then the data set in the transfer syntax's encoding. `dataset` is written in tag order unless
 * `keepOrder` is set. `metaSyntax` writes a different (lying) Transfer Syntax UID in the meta.
 */
export function part10(
  dataset: readonly Built[],
  options: { transferSyntax?: string; metaSyntax?: string; extraMeta?: readonly Built[]; keepOrder?: boolean; sopClass?: string } = {},
): Buffer {
  const ts = options.transferSyntax ?? TS.explicitLe;
  const meta = Buffer.concat(
    sorted([
      raw(0x00020001, 'OB', Uint8Array.of(0, 1)),
      str(0x00020002, 'UI', options.sopClass ?? '1.2.840.10008.5.1.4.1.1.2'),
      str(0x00020003, 'UI', '1.2.826.0.1.3680043.2.1143.777.1'),
      str(0x00020010, 'UI', options.metaSyntax ?? ts),
      str(0x00020012, 'UI', '1.2.826.0.1.3680043.2.1143.1'),
      ...(options.extraMeta ?? []),
    ]).map((e) => e.bytes(EXPLICIT_LE)),
  );
  const groupLength = raw(0x00020000, 'UL', u32(meta.length, true)).bytes(EXPLICIT_LE);
  const enc = ts === TS.implicitLe ? IMPLICIT_LE : ts === TS.explicitBe ? EXPLICIT_BE : EXPLICIT_LE;
  let body = bare(dataset, enc, options.keepOrder === true);
  if (ts === TS.deflated) body = deflateRawSync(body);
  return Buffer.concat([Buffer.alloc(128), Buffer.from('DICM', 'latin1'), groupLength, meta, body]);
}

/** A data set without Part 10 header. */
export function bare(dataset: readonly Built[], enc: Enc, keepOrder = false): Buffer {
  return Buffer.concat((keepOrder ? [...dataset] : sorted(dataset)).map((e) => e.bytes(enc)));
}
