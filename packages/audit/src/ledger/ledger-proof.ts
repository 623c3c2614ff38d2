import type { AuditEvent } from '../events/audit-event.ts';
import { leafHash } from '../merkle/hashes.ts';
import { inclusionProof } from '../merkle/proofs.ts';
import type { LedgerStore } from '../store/ledger-store.ts';
import { tileNodeReader } from '../tiles/tile-node-reader.ts';
import { parseLeaf } from './audit-leaf.ts';
import type { SignedHead } from './ledger-head.ts';
import { LedgerError } from './ledger-error.ts';

/** An entry with its RFC 9162 §2.1.3 inclusion proof against a signed checkpoint. */
export interface InclusionProofResult {
  readonly index: number;
  readonly event: AuditEvent;
  /** The leaf bytes as stored and hashed. */
  readonly leaf: Buffer;
  readonly leafHash: Buffer;
  /** The tree size and root the proof leads to (those of `checkpoint`). */
  readonly size: number;
  readonly root: Buffer;
  readonly proof: readonly Buffer[];
  /** The signed checkpoint note (C2SP tlog-checkpoint). */
  readonly checkpoint: string;
}

/** Builds the inclusion proof of `index` against `head`, reading complete subtrees from the tiles. */
export async function proveInclusion(store: LedgerStore, head: SignedHead, index: number): Promise<InclusionProofResult> {
  if (!Number.isSafeInteger(index) || index < 0 || index >= head.size) {
    throw new LedgerError('not-found', 'no entry at this index in the latest checkpoint', { place: { index } });
  }
  const leaf = await store.getEntry(index);
  if (leaf === undefined) throw new LedgerError('corrupt', 'a ledger entry is missing', { place: { index, path: 'ledger_entries' } });
  const proof = await inclusionProof(index, head.size, tileNodeReader(store));
  return Object.freeze({
    index,
    event: parseLeaf(leaf),
    leaf,
    leafHash: leafHash(leaf),
    size: head.size,
    root: head.root,
    proof: Object.freeze(proof),
    checkpoint: head.note,
  });
}
