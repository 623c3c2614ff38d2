// Test support: a tiny DER encoder (X.690) for extension values in test certificates.
function len(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let v = n; v > 0; v >>= 8) out.unshift(v & 0xff);
  return [0x80 | out.length, ...out];
}
export function tlv(tag: number, content: Uint8Array): Uint8Array {
  return Uint8Array.from([tag, ...len(content.length), ...content]);
}
export function seq(...items: Uint8Array[]): Uint8Array {
  return tlv(0x30, Uint8Array.from(items.flatMap((i) => [...i])));
}
export function int(n: number): Uint8Array {
  const bytes: number[] = [];
  let v = n;
  do {
    bytes.unshift(v & 0xff);
    v = Math.floor(v / 256);
  } while (v > 0);
  if (((bytes[0] as number) & 0x80) !== 0) bytes.unshift(0);
  return tlv(0x02, Uint8Array.from(bytes));
}
export function octets(b: Uint8Array): Uint8Array {
  return tlv(0x04, b);
}
export function oid(text: string): Uint8Array {
  const arcs = text.split('.').map(Number);
  const out: number[] = [40 * (arcs[0] as number) + (arcs[1] as number)];
  for (const arc of arcs.slice(2)) {
    const parts: number[] = [];
    let v = arc;
    do {
      parts.unshift(v & 0x7f);
      v = Math.floor(v / 128);
    } while (v > 0);
    out.push(...parts.map((p, i) => (i < parts.length - 1 ? p | 0x80 : p)));
  }
  return tlv(0x06, Uint8Array.from(out));
}
export function hexColon(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}
