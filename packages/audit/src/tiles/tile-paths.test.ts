import { describe, expect, it } from 'vitest';
import { encodeTileIndex, entryBundlePath, tileLevels, tilePath } from './tile-paths.ts';

describe('C2SP tlog-tiles paths', () => {
  it('encodes indexes as 3-digit groups with x prefixes', () => {
    expect(encodeTileIndex(0)).toBe('000');
    expect(encodeTileIndex(5)).toBe('005');
    expect(encodeTileIndex(999)).toBe('999');
    expect(encodeTileIndex(1000)).toBe('x001/000');
    expect(encodeTileIndex(1234067)).toBe('x001/x234/067');
    expect(() => encodeTileIndex(-1)).toThrow(TypeError);
  });

  it('names full and partial tiles and bundles', () => {
    expect(tilePath({ level: 0, index: 1234067, width: 256 })).toBe('tile/0/x001/x234/067');
    expect(tilePath({ level: 2, index: 0, width: 1 })).toBe('tile/2/000.p/1');
    expect(entryBundlePath(1, 112)).toBe('tile/entries/001.p/112');
    expect(entryBundlePath(273, 256)).toBe('tile/entries/273');
    expect(() => tilePath({ level: 0, index: 0, width: 0 })).toThrow(TypeError);
    expect(() => tilePath({ level: 64, index: 0, width: 1 })).toThrow(TypeError);
  });

  it('lists the tiles of a tree as in the spec example (70,000 and 256)', () => {
    expect(tileLevels(70_000)).toEqual([
      { level: 0, fullTiles: 273, partialWidth: 112 },
      { level: 1, fullTiles: 1, partialWidth: 17 },
      { level: 2, fullTiles: 0, partialWidth: 1 },
    ]);
    expect(tileLevels(256)).toEqual([
      { level: 0, fullTiles: 1, partialWidth: 0 },
      { level: 1, fullTiles: 0, partialWidth: 1 },
    ]);
    expect(tileLevels(0)).toEqual([]);
  });
});
