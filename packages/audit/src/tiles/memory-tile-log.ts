import { formatCheckpoint } from '../checkpoint/checkpoint.ts';
import type { NoteSigner } from '../checkpoint/note-keys.ts';
import { signNote } from '../checkpoint/signed-note.ts';
import { leafHash } from '../merkle/hashes.ts';
import { checkEntrySize } from './entry-bundle.ts';
import { MemoryTileStore } from './memory-tile-store.ts';
import type { TileLogReader } from './tile-store.ts';
import { TreeBuilder } from './tree-builder.ts';

/**
 * A whole tiled log in memory: entries, tiles and a checkpoint signed after every append.
 * The reference TileLogReader for tests and tools; the database stores behave the same.
 */
export class MemoryTileLog implements TileLogReader {
  readonly #entries: Buffer[] = [];
  readonly #tiles = new MemoryTileStore();
  readonly #builder: TreeBuilder;
  readonly #origin: string;
  readonly #sign: (body: string) => string;
  #checkpoint: string;

  private constructor(builder: TreeBuilder, origin: string, sign: (body: string) => string) {
    this.#builder = builder;
    this.#origin = origin;
    this.#sign = sign;
    this.#checkpoint = this.#signHead();
  }

  /** A log whose checkpoints are signed by `signers`, or by a keyring (anything with `sign(body): note`). */
  static async create(origin: string, signers: readonly NoteSigner[] | { sign(body: string): string }): Promise<MemoryTileLog> {
    const sign = Array.isArray(signers) ? (body: string) => signNote(body, signers as readonly NoteSigner[]) : (body: string) => (signers as { sign(body: string): string }).sign(body);
    return new MemoryTileLog(await TreeBuilder.open(0, new MemoryTileStore()), origin, sign);
  }

  get size(): number {
    return this.#builder.size;
  }

  /** Appends entries (each at most 65535 bytes) and signs a new checkpoint. */
  append(entries: readonly Uint8Array[]): void {
    entries.forEach((e, i) => {
      checkEntrySize(e, this.size + i);
    });
    const { dirtyTiles } = this.#builder.append(entries.map((e) => leafHash(e)));
    this.#tiles.put(dirtyTiles);
    this.#entries.push(...entries.map((e) => Buffer.from(e)));
    this.#checkpoint = this.#signHead();
  }

  #signHead(): string {
    return this.#sign(formatCheckpoint({ origin: this.#origin, size: this.#builder.size, root: this.#builder.root }));
  }

  readCheckpoint(): Promise<string> {
    return Promise.resolve(this.#checkpoint);
  }

  getTile(level: number, index: number): Promise<Buffer | undefined> {
    return this.#tiles.getTile(level, index);
  }

  readEntries(from: number, count: number): Promise<readonly Buffer[]> {
    return Promise.resolve(this.#entries.slice(from, from + count));
  }
}
