import { timingSafeEqual } from 'node:crypto';
import { formatCheckpoint, parseCheckpoint } from '../checkpoint/checkpoint.ts';
import { openNote, parseVerifierKey, type NoteVerifier } from '../checkpoint/signed-note.ts';
import { EMPTY_ROOT } from '../merkle/hashes.ts';
import type { LedgerStore } from '../store/ledger-store.ts';
import { TreeBuilder } from '../tiles/tree-builder.ts';
import type { CheckpointSigner } from './checkpoint-signer.ts';
import { LedgerError } from './ledger-error.ts';

/** The newest signed checkpoint of the ledger: tree size, root and the signed note text. */
export interface SignedHead {
  readonly size: number;
  readonly root: Buffer;
  readonly note: string;
}

export interface HeadOptions {
  readonly store: LedgerStore;
  readonly signer: CheckpointSigner;
  readonly origin: string;
  readonly trustedVerifierKeys?: readonly string[];
}

/** Formats and signs the checkpoint of a tree (C2SP tlog-checkpoint, signed-note). */
export function signCheckpoint(options: Pick<HeadOptions, 'signer' | 'origin'>, size: number, root: Buffer): SignedHead {
  const note = options.signer.sign(formatCheckpoint({ origin: options.origin, size, root }));
  return Object.freeze({ size, root, note });
}

/**
 * Resumes the in-memory tree from the store's latest checkpoint: its signature must verify with
 * a trusted key, its origin must be ours, and the stored tiles must reproduce its root
 * (otherwise `corrupt`, naming the size). An empty store gets the signed empty checkpoint.
 */
export async function resumeTree(options: HeadOptions): Promise<{ tree: TreeBuilder; head: SignedHead }> {
  const { store } = options;
  const latest = await store.latestCheckpoint();
  if (latest === undefined) {
    const head = signCheckpoint(options, 0, Buffer.from(EMPTY_ROOT));
    await store.append({ fromSize: 0, entries: [], tiles: [], checkpoint: { size: 0, note: head.note } });
    return { tree: await TreeBuilder.open(0, store), head };
  }
  const verifiers = [...options.signer.verifierKeys, ...(options.trustedVerifierKeys ?? [])].map((k) => parseVerifierKey(k));
  let checkpoint: ReturnType<typeof parseCheckpoint>;
  try {
    checkpoint = parseCheckpoint(openNote(latest.note, verifiers).text);
  } catch (cause) {
    throw new LedgerError('corrupt', 'the latest checkpoint does not verify with the ledger signer keys', {
      cause,
      place: { index: latest.size, path: 'ledger_checkpoints' },
      hint: 'run `phiguard audit verify` with the published verifier key to find what changed',
    });
  }
  if (checkpoint.origin !== options.origin || checkpoint.size !== latest.size) {
    throw new LedgerError('corrupt', 'the latest checkpoint names another origin or size', { place: { index: latest.size, path: 'ledger_checkpoints' } });
  }
  let tree: TreeBuilder;
  try {
    tree = await TreeBuilder.open(checkpoint.size, store);
  } catch (cause) {
    throw new LedgerError('corrupt', 'the stored tiles cannot rebuild the tree of the latest checkpoint', { cause, place: { index: latest.size } });
  }
  if (!timingSafeEqual(tree.root, checkpoint.root)) {
    throw new LedgerError('corrupt', 'the stored tiles do not reproduce the root of the latest checkpoint', { place: { index: latest.size } });
  }
  return { tree, head: Object.freeze({ size: checkpoint.size, root: Buffer.from(checkpoint.root), note: latest.note }) };
}

/**
 * The latest checkpoint of a log, opened with `verifiers` (C2SP signed-note) and parsed: what a
 * read-only client (proofs, exports) proves against. Throws the note's `MerkleLogError` when no
 * trusted signature verifies.
 */
export async function readVerifiedHead(reader: Pick<LedgerStore, 'readCheckpoint'>, verifiers: readonly NoteVerifier[]): Promise<SignedHead> {
  const note = await reader.readCheckpoint();
  const checkpoint = parseCheckpoint(openNote(note, verifiers).text);
  return Object.freeze({ size: checkpoint.size, root: Buffer.from(checkpoint.root), note });
}
