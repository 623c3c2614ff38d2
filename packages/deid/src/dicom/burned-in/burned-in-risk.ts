import type { DicomElement } from '../dataset.ts';
import { PIXEL_DATA } from '../tag.ts';
import { asciiOf } from '../values.ts';

/** Secondary Capture, Ultrasound and screenshot-like SOP classes (PS3.4 Annex B) that often carry burned-in text. */
const RISKY_SOP_CLASSES = [
  '1.2.840.10008.5.1.4.1.1.7', // Secondary Capture and its multi-frame variants (.7.1-.7.4)
  '1.2.840.10008.5.1.4.1.1.6.', // Ultrasound Image, Enhanced US Volume
  '1.2.840.10008.5.1.4.1.1.3.1', // Ultrasound Multi-frame
  '1.2.840.10008.5.1.4.1.1.77.1.4', // VL Photographic (photos of labels, faces)
  '1.2.840.10008.5.1.4.1.1.104.', // Encapsulated documents (rendered reports)
];
/** Each entry as an exact UID and the prefix of its family ("x." matches "x.anything"; "x" also matches "x" itself). */
const RISKY_SOP_MATCH = RISKY_SOP_CLASSES.map((p) => ({ exact: p.replace(/\.$/, ''), prefix: p.endsWith('.') ? p : `${p}.` }));
const RISKY_MODALITIES = new Set(['US', 'SC', 'OT', 'XC', 'DOC', 'ES']);

export type BurnedInRisk =
  { readonly risky: false } | { readonly risky: true; readonly reason: 'marked-yes' | 'sop-class' | 'modality' | 'screen-save' };

/**
 * Whether the pixels may hold burned-in identifying text (PS3.15 §E.3.1, PS3.3 §C.7.6.1.1.7
 * Burned In Annotation): marked YES, or of a kind known to carry it, unless marked NO.
 */
export function burnedInRisk(dataset: readonly DicomElement[]): BurnedInRisk {
  if (!dataset.some((e) => e.tag === PIXEL_DATA)) return { risky: false };
  const get = (t: number): string => (asciiOf(dataset.find((e) => e.tag === t)) ?? '').toUpperCase();
  const marked = get(0x00280301);
  if (marked === 'NO') return { risky: false };
  // Only an exact NO clears the image: YES, and any malformed mark (YES\NO, Y, TRUE: the attribute
  // is CS, VM 1, YES or NO) counts as YES, fail closed. Absent or empty: judged by kind below.
  if (marked !== '') return { risky: true, reason: 'marked-yes' };
  const sopClass = get(0x00080016);
  if (RISKY_SOP_MATCH.some((p) => sopClass === p.exact || sopClass.startsWith(p.prefix))) return { risky: true, reason: 'sop-class' };
  if (RISKY_MODALITIES.has(get(0x00080060))) return { risky: true, reason: 'modality' };
  if (get(0x00080008).includes('SCREEN SAVE')) return { risky: true, reason: 'screen-save' };
  return { risky: false };
}
