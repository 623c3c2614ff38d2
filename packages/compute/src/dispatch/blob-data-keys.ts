import { headerBytesNeeded, parseHeader, type KeyProvider } from '@phiguard/keys';
import type { BlobStore, IndexEntry } from '@phiguard/vault';
import { ComputeError } from '../compute-error.ts';
import { wrappedKeyId } from '../release/released-key-provider.ts';
import type { DataKey } from '../release/sealed-keys.ts';

/** Reads just the envelope header at the start of a sealed blob (docs/formats/envelope.md §2). */
async function readHeader(blobs: BlobStore, blob: string): Promise<ReturnType<typeof parseHeader>> {
  let buffered = Buffer.alloc(0);
  let needed = 7;
  for await (const chunk of blobs.get(blob)) {
    buffered = Buffer.concat([buffered, chunk]);
    for (;;) {
      if (buffered.length < needed) break;
      const more = headerBytesNeeded(buffered.subarray(0, needed));
      if (more === needed) return parseHeader(Buffer.from(buffered.subarray(0, needed)));
      needed = more;
    }
  }
  throw new ComputeError('invalid-input', 'sealed blob ends inside its header', { place: { path: blob } });
}

/**
 * The data keys of a version's file blobs, unwrapped with the dataset's KEK provider, each under
 * the id {@link wrappedKeyId} the node will look it up by. The caller zeroes them after sealing.
 */
export async function blobDataKeys(files: readonly IndexEntry[], blobs: BlobStore, providers: readonly KeyProvider[]): Promise<{ keys: DataKey[]; providers: string[] }> {
  const keys = new Map<string, DataKey>();
  const used: string[] = [];
  for (const [index, file] of files.entries()) {
    const header = await readHeader(blobs, file.blob);
    let found: string | undefined;
    for (const wrapped of header.wrappedKeys) {
      const provider = providers.find((p) => p.id === wrapped.provider);
      if (provider === undefined) continue;
      const id = wrappedKeyId(wrapped);
      if (!keys.has(id)) keys.set(id, { id, key: new Uint8Array(await provider.unwrapDataKey(wrapped)) });
      found = wrapped.provider;
      break;
    }
    if (found === undefined) throw new ComputeError('not-found', 'no configured key provider can unwrap an input file key', { place: { index } });
    used.push(found);
  }
  return { keys: [...keys.values()], providers: used };
}
