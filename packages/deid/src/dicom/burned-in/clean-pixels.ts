import type { DicomElement } from '../dataset.ts';
import { PIXEL_DATA } from '../tag.ts';
import { asciiOf, withValue } from '../values.ts';

function us(dataset: readonly DicomElement[], t: number, le: boolean): number | undefined {
  const v = dataset.find((e) => e.tag === t)?.value;
  if (v === undefined || v.byteLength < 2) return undefined;
  return new DataView(v.buffer, v.byteOffset, v.byteLength).getUint16(0, le);
}

/**
 * Blanks rectangles in every frame of native (uncompressed) pixel data (PS3.15 §E.3.1 Clean
 * Pixel Data; PS3.5 §8.1 pixel layout, PS3.3 §C.7.6.3 Planar Configuration). Returns the new
 * Pixel Data element, or `undefined` when the layout is not one it can clean (bits not a
 * multiple of 8, missing attributes): the caller then quarantines.
 */
export function cleanPixelRegions(
  dataset: readonly DicomElement[],
  littleEndian: boolean,
  regions: readonly (readonly [number, number, number, number])[],
): DicomElement | undefined {
  const px = dataset.find((e) => e.tag === PIXEL_DATA);
  if (px?.value === undefined) return undefined;
  const rows = us(dataset, 0x00280010, littleEndian);
  const cols = us(dataset, 0x00280011, littleEndian);
  const bits = us(dataset, 0x00280100, littleEndian);
  const spp = us(dataset, 0x00280002, littleEndian) ?? 1;
  const planar = us(dataset, 0x00280006, littleEndian) ?? 0;
  const frames = Number.parseInt(asciiOf(dataset.find((e) => e.tag === 0x00280008)) ?? '1', 10) || 1;
  if (rows === undefined || cols === undefined || bits === undefined || bits % 8 !== 0) return undefined;
  const bpp = bits / 8;
  const frameBytes = rows * cols * spp * bpp;
  if (frameBytes * frames > px.value.byteLength) return undefined;
  const out = Uint8Array.from(px.value);
  for (let f = 0; f < frames; f++) {
    const base = f * frameBytes;
    for (const [x0, y0, x1, y1] of regions) {
      const xa = Math.max(0, Math.min(cols, x0));
      const xb = Math.max(0, Math.min(cols, x1));
      const ya = Math.max(0, Math.min(rows, y0));
      const yb = Math.max(0, Math.min(rows, y1));
      if (xb <= xa || yb <= ya) continue;
      for (let y = ya; y < yb; y++) {
        if (planar === 1 && spp > 1) {
          for (let s = 0; s < spp; s++) {
            const start = base + s * rows * cols * bpp + (y * cols + xa) * bpp;
            out.fill(0, start, start + (xb - xa) * bpp);
          }
        } else {
          const start = base + (y * cols + xa) * spp * bpp;
          out.fill(0, start, start + (xb - xa) * spp * bpp);
        }
      }
    }
  }
  return withValue(px, out);
}
