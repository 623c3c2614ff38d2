// Resource names of C2SP tlog-tiles ("Merkle Tree" and "Log entries" sections):
// tile/<L>/<N>[.p/<W>] and tile/entries/<N>[.p/<W>].

/** Tile height: each tile holds up to 2^8 hashes (C2SP tlog-tiles). */
export const TILE_HEIGHT = 8;
/** Hashes in a full tile, entries in a full bundle. */
export const TILE_WIDTH = 256;

/** A tile of the log: `width` consecutive hashes at tree level 8·`level`, starting at hash 256·`index`. */
export interface TileCoordinates {
  readonly level: number;
  readonly index: number;
  /** 256 for a full tile, 1..255 for a partial one. */
  readonly width: number;
}

function checkIndex(index: number): void {
  if (!Number.isSafeInteger(index) || index < 0) throw new TypeError(`tile index must be a non-negative safe integer, got ${index}`);
}

function checkWidth(width: number): void {
  if (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH) throw new TypeError(`tile width must be 1..256, got ${width}`);
}

/**
 * `<N>` of tlog-tiles: zero-padded 3-digit path elements, all but the last prefixed with `x`
 * (1234067 → `x001/x234/067`, 5 → `005`).
 */
export function encodeTileIndex(index: number): string {
  checkIndex(index);
  let digits = String(index);
  digits = digits.padStart(Math.ceil(digits.length / 3) * 3, '0');
  const groups: string[] = [];
  for (let i = 0; i < digits.length; i += 3) groups.push(digits.slice(i, i + 3));
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

function suffix(width: number): string {
  checkWidth(width);
  return width === TILE_WIDTH ? '' : `.p/${width}`;
}

/** `tile/<L>/<N>[.p/<W>]`, relative to the log prefix. */
export function tilePath(tile: TileCoordinates): string {
  if (!Number.isInteger(tile.level) || tile.level < 0 || tile.level > 63) throw new TypeError(`tile level must be 0..63, got ${tile.level}`);
  return `tile/${tile.level}/${encodeTileIndex(tile.index)}${suffix(tile.width)}`;
}

/** `tile/entries/<N>[.p/<W>]`, relative to the log prefix. */
export function entryBundlePath(index: number, width: number): string {
  return `tile/entries/${encodeTileIndex(index)}${suffix(width)}`;
}

/**
 * The tiles that make up the tree of `size` leaves, level by level: full tiles 0..full-1
 * and, where `floor(size / 256^L) mod 256` is not zero, one partial tile of that width
 * ("Partial Tiles"). A tree of 70,000 has 273 full level-0 tiles + a partial of 112, one full
 * level-1 tile + a partial of 17, and a level-2 partial of 1.
 */
export function tileLevels(size: number): { level: number; fullTiles: number; partialWidth: number }[] {
  const levels: { level: number; fullTiles: number; partialWidth: number }[] = [];
  for (let level = 0, span = 1; Math.floor(size / span) > 0; level++, span *= TILE_WIDTH) {
    const hashes = Math.floor(size / span);
    levels.push({ level, fullTiles: Math.floor(hashes / TILE_WIDTH), partialWidth: hashes % TILE_WIDTH });
  }
  return levels;
}
