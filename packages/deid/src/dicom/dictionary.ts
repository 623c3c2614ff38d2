import { DICTIONARY_EXACT, DICTIONARY_RANGES } from './tables/dictionary-table.ts';
import type { Tag } from './tag.ts';
import { isVr, type Vr } from './vr.ts';

/** Tag → VR from the PS3.6 data dictionary, needed to read Implicit VR Little Endian (PS3.5 §7.1.3). */
export interface DicomDictionary {
  vrOf(t: Tag): Vr | undefined;
}

/** The standard's fixed tags of one VR (PS3.6), e.g. every PN attribute; built once per VR. */
export function standardTagsOfVr(vr: Vr): ReadonlySet<Tag> {
  const known = byVr.get(vr);
  if (known !== undefined) return known;
  const set = new Set<Tag>();
  for (let i = 0; i + 10 <= DICTIONARY_EXACT.length; i += 10)
    if (DICTIONARY_EXACT.slice(i + 8, i + 10) === vr) set.add(Number.parseInt(DICTIONARY_EXACT.slice(i, i + 8), 16) >>> 0);
  byVr.set(vr, set);
  return set;
}

const byVr = new Map<Vr, ReadonlySet<Tag>>();

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
  // Tags outside the exact table (private, repeating groups, unknown) are looked up in the ranges
  // once each: de-identification asks for them per element (bounded, like the action table's cache).
  const misses = new Map<Tag, Vr | null>();
  const ranged = (t: Tag): Vr | undefined => {
    const known = misses.get(t);
    if (known !== undefined) return known ?? undefined;
    const vr = inRanges(t);
    if (misses.size < 100_000) misses.set(t, vr ?? null);
    return vr;
  };
  const inRanges = (t: Tag): Vr | undefined => {
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
  };
  return {
    vrOf(t) {
      return exact.get(t) ?? ranged(t);
    },
  };
}

let shared: DicomDictionary | undefined;

/** The dictionary, built once on first use from the generated table (immutable after that). */
export function standardDictionary(): DicomDictionary {
  shared ??= build();
  return shared;
}
