// Full audit of a tiled log against its signed checkpoint: every entry is re-hashed
// (RFC 9162 §2.1.1), compared with the level-0 tiles, every higher tile and the root are
// recomputed (C2SP tlog-tiles "Merkle Tree"), and the root is compared with the checkpoint
// (C2SP tlog-checkpoint), whose signature is checked first (C2SP signed-note).
import { timingSafeEqual } from 'node:crypto';
import { parseCheckpoint, type Checkpoint } from '../checkpoint/checkpoint.ts';
import type { NoteVerifier } from '../checkpoint/note-keys.ts';
import { openNote } from '../checkpoint/signed-note.ts';
import { HASH_SIZE, leafHash } from '../merkle/hashes.ts';
import { describePlace, isBaseError } from '@phiguard/core';
import { MemoryTileStore } from './memory-tile-store.ts';
import { TILE_WIDTH, tilePath } from './tile-paths.ts';
import type { DirtyTile, TileLogReader } from './tile-store.ts';
import { TreeBuilder } from './tree-builder.ts';

/** Why a log failed verification. */
export type VerifyFailure =
  | 'read-error'
  | 'checkpoint-signature'
  | 'checkpoint-malformed'
  | 'checkpoint-origin'
  | 'entry-hash-mismatch'
  | 'entry-count'
  | 'missing-tile'
  | 'tile-hash-mismatch'
  | 'malformed-tile'
  | 'root-mismatch'
  | 'history-mismatch';

/** The outcome of {@link verifyLog}. `firstBadIndex` is the first leaf shown wrong, when one is. */
export type VerifyReport =
  | { readonly ok: true; readonly size: number; readonly root: Buffer; readonly origin: string }
  | { readonly ok: false; readonly firstBadIndex: number | undefined; readonly reason: VerifyFailure; readonly detail: string };

export interface VerifyLogOptions {
  /** The origin the checkpoint must name (C2SP tlog-checkpoint line 1). */
  readonly origin?: string;
  /** Entry bundles read ahead (default 8); memory is about this × 256 entries. */
  readonly readAhead?: number;
  /** Called after each bundle with (leaves verified, tree size). */
  readonly onProgress?: (verified: number, size: number) => void;
  /**
   * An earlier checkpoint (size, root) the auditor already trusts: the log must extend it
   * (its first `size` entries must have that root, RFC 9162 §2.1.4's property checked directly),
   * else `history-mismatch`. Catches a log rewritten and re-signed after that checkpoint.
   */
  readonly previous?: { readonly size: number; readonly root: Uint8Array };
}

function fail(reason: VerifyFailure, firstBadIndex: number | undefined, detail: string): VerifyReport {
  return Object.freeze({ ok: false, reason, firstBadIndex, detail });
}

function errorDetail(e: unknown): string {
  if (isBaseError(e)) return `${e.code}: ${e.describe()}`;
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' ? code : e instanceof Error ? e.name : 'unknown error';
}

/** First leaf under the node at tile level `level`, position `hash` of the level. */
const firstLeaf = (level: number, hash: number): number => hash * TILE_WIDTH ** level;

/**
 * Verifies a whole log and reports the first problem: checkpoint signature, then leaves in
 * index order (entry vs level-0 tile), then each higher tile hash as soon as the subtree under
 * it is complete, then the root. Streams bundle by bundle; works over any TileLogReader
 * (a folder, a database store). Entries or tiles beyond the checkpoint's size are not looked at.
 */
export async function verifyLog(reader: TileLogReader, verifiers: readonly NoteVerifier[], options: VerifyLogOptions = {}): Promise<VerifyReport> {
  let note: string;
  try {
    note = await reader.readCheckpoint();
  } catch (e) {
    return fail('read-error', undefined, `cannot read the checkpoint (${errorDetail(e)})`);
  }
  let checkpoint: Checkpoint;
  try {
    const opened = openNote(note, verifiers);
    checkpoint = parseCheckpoint(opened.text);
  } catch (e) {
    const reason = isBaseError(e) && e.code === 'malformed-checkpoint' ? 'checkpoint-malformed' : 'checkpoint-signature';
    return fail(reason, undefined, `the checkpoint is not acceptable (${errorDetail(e)})`);
  }
  if (options.origin !== undefined && checkpoint.origin !== options.origin) {
    return fail('checkpoint-origin', undefined, 'the checkpoint names another log origin');
  }
  const { size } = checkpoint;
  const previous = options.previous;
  if (previous !== undefined && (!Number.isSafeInteger(previous.size) || previous.size < 0 || previous.root.length !== HASH_SIZE)) {
    throw new TypeError('previous must be a checkpoint size and a 32-byte root');
  }
  if (previous !== undefined && previous.size > size) {
    return fail('history-mismatch', undefined, 'the checkpoint is older than the previous checkpoint given');
  }
  const checkPrevious = (): VerifyReport | undefined =>
    previous !== undefined && builder.size === previous.size && !timingSafeEqual(builder.root, previous.root)
      ? fail('history-mismatch', undefined, 'the first entries do not have the root of the previous checkpoint: the log was rewritten')
      : undefined;
  const builder = await TreeBuilder.open(0, new MemoryTileStore());
  const atStart = checkPrevious();
  if (atStart !== undefined) return atStart;
  const tiles = new TileChecker(reader);
  const bundles = Math.ceil(size / TILE_WIDTH);
  const readAhead = Math.max(1, options.readAhead ?? 8);
  const pending = new Map<number, Promise<readonly Buffer[]>>();
  const request = (b: number): void => {
    if (b < bundles && !pending.has(b)) {
      const p = reader.readEntries(b * TILE_WIDTH, Math.min(TILE_WIDTH, size - b * TILE_WIDTH));
      p.catch(() => undefined); // handled when awaited
      pending.set(b, p);
    }
  };

  for (let b = 0; b < bundles; b++) {
    for (let k = b; k < b + readAhead; k++) request(k);
    const width = Math.min(TILE_WIDTH, size - b * TILE_WIDTH);
    let entries: readonly Buffer[];
    try {
      entries = await (pending.get(b) as Promise<readonly Buffer[]>);
    } catch (e) {
      return fail('read-error', b * TILE_WIDTH, `cannot read entries (${errorDetail(e)})`);
    }
    pending.delete(b);
    const n = Math.min(entries.length, width);
    const hashes = entries.slice(0, n).map((e) => leafHash(e));
    // Split the bundle where the previous checkpoint ends, to look at the root there.
    const cut = previous !== undefined && previous.size > builder.size && previous.size < builder.size + n ? previous.size - builder.size : n;
    for (const part of cut === n ? [hashes] : [hashes.slice(0, cut), hashes.slice(cut)]) {
      for (const dirty of builder.append(part).dirtyTiles) {
        const problem = await tiles.check(dirty);
        if (problem !== undefined) return problem;
      }
      const history = checkPrevious();
      if (history !== undefined) return history;
    }
    if (entries.length !== width) {
      const what = entries.length < width ? 'fewer entries than the checkpoint needs' : 'more entries than its width';
      return fail('entry-count', b * TILE_WIDTH + n, `entry bundle ${b} holds ${what}`);
    }
    options.onProgress?.(b * TILE_WIDTH + width, size);
  }
  const problem = tiles.finish() ?? checkPrevious();
  if (problem !== undefined) return problem;
  if (!timingSafeEqual(builder.root, checkpoint.root)) {
    return fail('root-mismatch', undefined, 'the recomputed root differs from the signed checkpoint root');
  }
  return Object.freeze({ ok: true, size, root: builder.root, origin: checkpoint.origin });
}

/** Compares recomputed tiles with stored ones, each hash once, caching one stored tile per level. */
class TileChecker {
  readonly #reader: TileLogReader;
  readonly #stored = new Map<number, { index: number; bytes: Buffer; checked: number; width: number }>();

  constructor(reader: TileLogReader) {
    this.#reader = reader;
  }

  async check(dirty: DirtyTile): Promise<VerifyReport | undefined> {
    const { level, index } = dirty;
    const width = dirty.hashes.length / HASH_SIZE;
    let cached = this.#stored.get(level);
    if (cached?.index !== index) {
      let bytes: Buffer | undefined;
      try {
        bytes = await this.#reader.getTile(level, index);
      } catch (e) {
        return fail('read-error', firstLeaf(level, index * TILE_WIDTH), `cannot read a tile (${errorDetail(e)})`);
      }
      const where = describePlace({ path: tilePath({ level, index, width: TILE_WIDTH }) });
      if (bytes === undefined) return fail('missing-tile', firstLeaf(level, index * TILE_WIDTH), `tile missing (${where})`);
      cached = { index, bytes, checked: 0, width: 0 };
      this.#stored.set(level, cached);
    }
    for (let j = cached.checked; j < width; j++) {
      const stored = cached.bytes.subarray(j * HASH_SIZE, (j + 1) * HASH_SIZE);
      const computed = dirty.hashes.subarray(j * HASH_SIZE, (j + 1) * HASH_SIZE);
      if (stored.length !== HASH_SIZE || !timingSafeEqual(stored, computed)) {
        const reason = level === 0 ? 'entry-hash-mismatch' : 'tile-hash-mismatch';
        const what = level === 0 ? 'the entry does not hash to its level-0 tile hash' : 'a stored tile hash differs from the one recomputed from the level below';
        return fail(reason, firstLeaf(level, index * TILE_WIDTH + j), `${what} (${describePlace({ path: tilePath({ level, index, width: TILE_WIDTH }) })}, hash ${j})`);
      }
    }
    cached.checked = width;
    cached.width = width;
    if (width === TILE_WIDTH && cached.bytes.length !== TILE_WIDTH * HASH_SIZE) return this.#malformed(level, index);
    return undefined;
  }

  /** The right-edge tiles may be newer (longer) versions, but only whole hashes, at most 256 of them. */
  finish(): VerifyReport | undefined {
    for (const [level, t] of this.#stored) {
      if (t.width < TILE_WIDTH && (t.bytes.length % HASH_SIZE !== 0 || t.bytes.length > TILE_WIDTH * HASH_SIZE)) return this.#malformed(level, t.index);
    }
    return undefined;
  }

  #malformed(level: number, index: number): VerifyReport {
    return fail('malformed-tile', undefined, `tile has bytes beyond its hashes (${describePlace({ path: tilePath({ level, index, width: TILE_WIDTH }) })})`);
  }
}
