// Reads a tiled log laid out on disk as C2SP tlog-tiles resources (see exportTiles).
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { decodeEntryBundlePrefix } from './entry-bundle.ts';
import { TILE_WIDTH, encodeTileIndex } from './tile-paths.ts';
import type { TileLogReader } from './tile-store.ts';

async function readIfExists(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** The newest version of a resource: the full one if present, else the widest partial `.p/<W>`. */
async function newest(base: string): Promise<{ bytes: Buffer; width: number } | undefined> {
  const full = await readIfExists(base);
  if (full !== undefined) return { bytes: full, width: TILE_WIDTH };
  let names: string[];
  try {
    names = await readdir(`${base}.p`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  // Only canonical widths 1..255 count; temp files of an interrupted export are ignored.
  const widths = names.filter((n) => /^[1-9][0-9]{0,2}$/.test(n) && Number(n) < TILE_WIDTH).map(Number);
  if (widths.length === 0) return undefined;
  const width = Math.max(...widths);
  const bytes = await readIfExists(path.join(`${base}.p`, String(width)));
  return bytes === undefined ? undefined : { bytes, width };
}

/**
 * A TileLogReader over a folder in the tlog-tiles layout (`checkpoint`, `tile/<L>/<N>[.p/<W>]`,
 * `tile/entries/<N>[.p/<W>]`). It reports what is on disk without repairing it: a bundle that
 * does not decode to the width its name says ends the entries returned, with its extra entries
 * and its undecodable tail (as one last item), so `verifyLog` can name the first bad index.
 */
export function folderTileLogReader(dir: string): TileLogReader {
  const tileBase = (level: number, index: number): string => path.join(dir, 'tile', String(level), ...encodeTileIndex(index).split('/'));
  const bundleBase = (index: number): string => path.join(dir, 'tile', 'entries', ...encodeTileIndex(index).split('/'));
  return {
    readCheckpoint: () => readFile(path.join(dir, 'checkpoint'), 'utf8'),

    async getTile(level: number, index: number): Promise<Buffer | undefined> {
      return (await newest(tileBase(level, index)))?.bytes;
    },

    async readEntries(from: number, count: number): Promise<readonly Buffer[]> {
      const out: Buffer[] = [];
      const end = from + count;
      for (let b = Math.floor(from / TILE_WIDTH); b * TILE_WIDTH < end; b++) {
        const found = await newest(bundleBase(b));
        if (found === undefined) break;
        const { entries, complete, rest } = decodeEntryBundlePrefix(found.bytes);
        const start = Math.max(from, b * TILE_WIDTH) - b * TILE_WIDTH;
        const stop = Math.min(end, (b + 1) * TILE_WIDTH) - b * TILE_WIDTH;
        if (!complete || entries.length !== found.width) {
          // Damaged: hand over what is there (extra entries, and undecodable bytes as one last
          // item) and stop, so the verifier sees the first wrong item at its index.
          out.push(...entries.slice(start), ...(complete ? [] : [rest]));
          break;
        }
        out.push(...entries.slice(start, stop));
        if (entries.length < stop) break;
      }
      return out;
    },
  };
}
