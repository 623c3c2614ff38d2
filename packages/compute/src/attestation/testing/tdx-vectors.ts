// Test support: TDX quotes from ../shared/vectors in their stored encodings.
import { vector, vectorText } from './vectors.ts';

/** Reads a quote as EXPECTED_derived.json describes its encoding. */
export function loadQuote(file: string, encoding: string): Uint8Array {
  const path = `tdx/${file}`;
  if (encoding === 'base64') return Buffer.from(vectorText(path).trim(), 'base64');
  if (encoding === 'hex') return Buffer.from(vectorText(path).trim(), 'hex');
  if (encoding.startsWith('json')) return Buffer.from((JSON.parse(vectorText(path)) as { tdx: { quote: string } }).tdx.quote, 'base64');
  return vector(path);
}

/** go-tdx-guest's SPR_E4 file ends with an ASCII test trailer after the signature data. */
export function withoutTrailer(bytes: Uint8Array): Uint8Array {
  const sigLen = new DataView(bytes.buffer, bytes.byteOffset).getUint32(632, true);
  return bytes.subarray(0, 636 + sigLen);
}
