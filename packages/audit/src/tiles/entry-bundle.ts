// Entry bundles of C2SP tlog-tiles ("Log entries"): a sequence of big-endian uint16
// length-prefixed entries, 256 per full bundle.
import { MerkleLogError } from '../merkle/merkle-log-error.ts';

/** The largest entry a bundle can carry (uint16 length prefix). */
export const MAX_ENTRY_SIZE = 0xffff;

/** Throws `entry-too-large` (naming the entry's index, never its bytes) when an entry cannot be bundled. */
export function checkEntrySize(entry: Uint8Array, index: number): void {
  if (entry.length > MAX_ENTRY_SIZE) {
    throw new MerkleLogError('entry-too-large', `log entry is ${entry.length} bytes; tlog-tiles entry bundles carry at most 65535`, {
      place: { index },
      hint: 'keep ledger leaves small: ids, codes and hashes, not documents',
    });
  }
}

/** Encodes entries as one bundle. `firstIndex` only names the place of a too-large entry. */
export function encodeEntryBundle(entries: readonly Uint8Array[], firstIndex = 0): Buffer {
  let total = 0;
  entries.forEach((e, i) => {
    checkEntrySize(e, firstIndex + i);
    total += 2 + e.length;
  });
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const e of entries) {
    out.writeUInt16BE(e.length, at);
    out.set(e, at + 2);
    at += 2 + e.length;
  }
  return out;
}

/**
 * Decodes as many whole entries as the bytes hold. `complete` is false when the bytes end
 * inside a length prefix or an entry; `rest` holds those undecodable bytes. A verifier can
 * still compare the good prefix and name the first bad position.
 */
export function decodeEntryBundlePrefix(bytes: Uint8Array): { entries: Buffer[]; complete: boolean; rest: Buffer } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries: Buffer[] = [];
  let at = 0;
  while (at < buf.length) {
    const length = at + 2 <= buf.length ? buf.readUInt16BE(at) : Infinity;
    if (at + 2 + length > buf.length) return { entries, complete: false, rest: Buffer.from(buf.subarray(at)) };
    entries.push(Buffer.from(buf.subarray(at + 2, at + 2 + length)));
    at += 2 + length;
  }
  return { entries, complete: true, rest: Buffer.alloc(0) };
}

/** Decodes a whole bundle or throws `malformed-bundle` naming the entry (relative to `firstIndex`) where it breaks. */
export function decodeEntryBundle(bytes: Uint8Array, firstIndex = 0): Buffer[] {
  const { entries, complete } = decodeEntryBundlePrefix(bytes);
  if (!complete) {
    throw new MerkleLogError('malformed-bundle', 'entry bundle ends inside an entry', { place: { index: firstIndex + entries.length } });
  }
  return entries;
}
