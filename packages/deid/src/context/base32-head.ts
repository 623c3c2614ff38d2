const CROCKFORD_UPPER = Array.from('0123456789ABCDEFGHJKMNPQRSTVWXYZ', (c) => c.charCodeAt(0));

/**
 * `head` followed by the first `chars` characters of the upper-case Crockford base32 of `bytes`
 * (one per pseudonym: hot). Base32 is a stream: the same characters as
 * `encodeBase32(bytes).slice(0, chars)` upper-cased, reading only the bytes they are made of
 * (`bytes` must hold 5 × chars bits). The character codes are collected and made into one flat
 * string at the end, not appended one by one (a chain of 27 concatenations).
 */
export function base32Head(bytes: Uint8Array, chars: number, head = ''): string {
  const codes = new Array<number>(head.length + chars);
  let o = 0;
  for (; o < head.length; o++) codes[o] = head.charCodeAt(o);
  let buffer = 0;
  let bits = 0;
  for (let i = 0; o < codes.length; o++) {
    if (bits < 5) {
      buffer = ((buffer << 8) | (bytes[i++] ?? 0)) & 0xffff;
      bits += 8;
    }
    bits -= 5;
    codes[o] = CROCKFORD_UPPER[(buffer >>> bits) & 31] ?? 0;
  }
  return String.fromCharCode.apply(null, codes);
}
