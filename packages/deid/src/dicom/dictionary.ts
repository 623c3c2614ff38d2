import { DICTIONARY_EXACT, DICTIONARY_RANGES } from './tables/dictionary-table.ts';
import type { Tag } from './tag.ts';
import { isVr, type Vr } from './vr.ts';

/** Tag → VR from the PS3.6 data dictionary, needed to read Implicit VR Little Endian (PS3.5 §7.1.3). */
export interface DicomDictionary {
  vrOf(t: Tag): Vr | undefined;
}

function build(): DicomDictionary {
  const exact = new Map<number, Vr>();
  for (let i = 0; i + 10 <= DICTIONARY_EXACT.length; i += 10) {
    const vr = DICTIONARY_EXACT.slice(i + 8, i + 10);
    if (isVr(vr)) exact.set(Number.parseInt(DICTIONARY_EXACT.slice(i, i + 8), 16) >>> 0, vr);
  }
  const ranges = DICTIONARY_RANGES.flatMap(([g0, g1, e0, e1, vr]) =>
    isVr(vr)
      ? [{ g0: Number.parseInt(g0, 16), g1: Number.parseInt(g1, 16), e0: Number.parseInt(e0, 16), e1: Number.parseInt(e1, 16), vr }]
      : [],
  );
  return {
    vrOf(t) {
      const hit = exact.get(t);
      if (hit !== undefined) return hit;
      const g = t >>> 16;
      const e = t & 0xffff;
      // Group length (gggg,0000) is UL in every group (PS3.5 §7.2).
      if (e === 0) return 'UL';
      for (const r of ranges) {
        // Repeating groups step by 2 (60xx, 50xx: PS3.5 §7.6).
        if (g >= r.g0 && g <= r.g1 && (g - r.g0) % 2 === 0 && e >= r.e0 && e <= r.e1) return r.vr;
      }
      // Private Creator Data Elements are LO (PS3.5 §7.8.1).
      if ((g & 1) === 1 && e >= 0x10 && e <= 0xff) return 'LO';
      return undefined;
    },
  };
}

let shared: DicomDictionary | undefined;

/** The dictionary, built once on first use from the generated table (immutable after that). */
export function standardDictionary(): DicomDictionary {
  shared ??= build();
  return shared;
}
