/** 2^32, the weight of the high word. */
const TWO_32 = 4_294_967_296;

/**
 * `bytes[0..8]` read as an unsigned 64-bit big-endian integer, modulo `m` (an integer in
 * [1, 2^26]): the same as `Number(buf.readBigUInt64BE(0) % BigInt(m))` without BigInts (one per
 * new patient). Exact in doubles: hi = q·m + (hi mod m), so the value is congruent to
 * (hi mod m)·(2^32 mod m) + (lo mod m), and every term stays below 2^53.
 */
export function uint64Mod(bytes: Buffer, m: number): number {
  const hi = bytes.readUInt32BE(0);
  const lo = bytes.readUInt32BE(4);
  return (((hi % m) * (TWO_32 % m)) % m + (lo % m)) % m;
}
