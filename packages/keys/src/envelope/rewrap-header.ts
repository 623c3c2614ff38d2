import type { KeyProvider } from '../key-provider.ts';
import { encodeKeyBlock, parseHeader, TAG_BYTES } from './envelope-header.ts';

/**
 * Re-wraps the DEKs in an envelope header under their keys' newest versions (docs/formats/
 * envelope.md §2.3). Only the key block changes: the authenticated body, the header tag and every
 * frame stay as they are, so the data is not touched. Wrapped keys whose provider is not given
 * are kept unchanged. Returns the new header bytes (its length may differ from the old one).
 */
export async function rewrapEnvelopeHeader(header: Uint8Array, providers: readonly KeyProvider[]): Promise<Buffer> {
  const parsed = parseHeader(Buffer.from(header));
  const wrapped = [];
  for (const w of parsed.wrappedKeys) {
    const provider = providers.find((p) => p.id === w.provider);
    wrapped.push(provider === undefined ? w : await provider.rewrapDataKey(w));
  }
  return Buffer.concat([parsed.body, parsed.tag.subarray(0, TAG_BYTES), encodeKeyBlock(wrapped)]);
}
