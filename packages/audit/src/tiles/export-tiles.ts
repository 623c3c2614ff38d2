// Exports a log as static C2SP tlog-tiles resources: hash tiles, entry bundles, and the
// checkpoint, written last, so a folder never claims a size whose tiles and entries it lacks.
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { syncFolder, writeFileAtomic, type AtomicWriteOptions } from '@phiguard/core';
import { parseCheckpoint } from '../checkpoint/checkpoint.ts';
import type { NoteVerifier } from '../checkpoint/note-keys.ts';
import { openNote, parseNote } from '../checkpoint/signed-note.ts';
import { HASH_SIZE } from '../merkle/hashes.ts';
import { MerkleLogError } from '../merkle/merkle-log-error.ts';
import { encodeEntryBundle } from './entry-bundle.ts';
import { TILE_WIDTH, entryBundlePath, tileLevels, tilePath } from './tile-paths.ts';
import type { TileLogReader } from './tile-store.ts';

export interface ExportTilesOptions {
  /** When given, the checkpoint must verify with one of these keys before anything is written. */
  readonly verifiers?: readonly NoteVerifier[];
  /** fsync every file before the checkpoint is renamed into place (default true). */
  readonly durable?: boolean;
  /** Resources read and written at once (default 16). */
  readonly concurrency?: number;
  /** Called after each resource with (done, total). */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ExportTilesResult {
  readonly size: number;
  /** Resources written now (tiles and bundles); the rest already existed (immutable, from an earlier export). */
  readonly written: number;
  readonly skipped: number;
}

interface Job {
  readonly file: string;
  readonly make: () => Promise<Buffer>;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes `checkpoint`, every hash tile (full and right-edge partial) and every entry bundle of
 * the reader's current checkpoint into `outDir`. Resources already present are kept (tiles and
 * bundles are immutable), so re-exporting a grown log only adds what is new. Refuses to move
 * an existing folder's checkpoint backwards (`stale-checkpoint`).
 */
export async function exportTiles(reader: TileLogReader, outDir: string, options: ExportTilesOptions = {}): Promise<ExportTilesResult> {
  const durable = options.durable ?? true;
  const concurrency = Math.max(1, options.concurrency ?? 16);
  const note = await reader.readCheckpoint();
  const text = options.verifiers === undefined ? parseNote(note).text : openNote(note, options.verifiers).text;
  const { size } = parseCheckpoint(text);

  const previous = await readFile(path.join(outDir, 'checkpoint'), 'utf8').catch(() => undefined);
  if (previous !== undefined && parseCheckpoint(parseNote(previous).text).size > size) {
    throw new MerkleLogError('stale-checkpoint', 'the folder already holds a checkpoint of a larger tree', {
      place: { path: path.join(outDir, 'checkpoint') },
      hint: 'export into a fresh folder, or from the up-to-date store',
    });
  }

  const jobs: Job[] = [];
  for (const { level, fullTiles, partialWidth } of tileLevels(size)) {
    const widths = [...Array.from({ length: fullTiles }, () => TILE_WIDTH), ...(partialWidth > 0 ? [partialWidth] : [])];
    widths.forEach((width, index) => {
      jobs.push({
        file: tilePath({ level, index, width }),
        make: async () => {
          const tile = await reader.getTile(level, index);
          if (tile === undefined || tile.length < width * HASH_SIZE) {
            throw new MerkleLogError('missing-tile', 'the store lacks a tile the checkpoint needs', { place: { path: tilePath({ level, index, width }) } });
          }
          return Buffer.from(tile.subarray(0, width * HASH_SIZE));
        },
      });
    });
  }
  const bundles = Math.ceil(size / TILE_WIDTH);
  for (let index = 0; index < bundles; index++) {
    const width = Math.min(TILE_WIDTH, size - index * TILE_WIDTH);
    jobs.push({
      file: entryBundlePath(index, width),
      make: async () => {
        const entries = await reader.readEntries(index * TILE_WIDTH, width);
        if (entries.length !== width) {
          throw new MerkleLogError('missing-entries', 'the store returned a different number of entries than the checkpoint needs', {
            place: { index: index * TILE_WIDTH + Math.min(entries.length, width) },
          });
        }
        return encodeEntryBundle(entries, index * TILE_WIDTH);
      },
    });
  }

  let done = 0;
  let written = 0;
  const folders = new Set<string>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const job = jobs[next++] as Job;
      const target = path.join(outDir, job.file);
      if (!(await exists(target))) {
        await writeFileAtomic(target, await job.make(), tileWrite(durable));
        folders.add(path.dirname(target));
        written += 1;
      }
      done += 1;
      options.onProgress?.(done, jobs.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, jobs.length)) }, worker));
  if (durable) for (const folder of folders) await syncFolder(folder);
  // Last: the checkpoint that claims them (tlog-tiles "Checkpoints").
  await writeFileAtomic(path.join(outDir, 'checkpoint'), note, tileWrite(durable));
  if (durable) await syncFolder(outDir);
  return { size, written, skipped: jobs.length - written };
}

/** Tiles are public, world-readable resources written with mkdir; folders are synced once at the end. */
function tileWrite(durable: boolean): AtomicWriteOptions {
  return { durable, mode: 0o644, mkdir: true, syncFolder: false };
}
