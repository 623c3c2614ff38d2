import type { Hl7Encoding } from './hl7-encoding.ts';

/** PL-9, Location Description (ST), 0-based: the one component of a person location a person types. */
const LOCATION_DESCRIPTION = 8;

/**
 * Whether `raw[s, e)` (an escaped PL field) may hold a location description: a repetition with
 * eight component separators or more. Read in place: most locations are `4W^401^A` and are kept
 * without being split.
 */
export function mayHoldLocationText(raw: string, s: number, e: number, enc: Hl7Encoding): boolean {
  const component = enc.component.charCodeAt(0);
  const repetition = enc.repetition.charCodeAt(0);
  let separators = 0;
  for (let i = s; i < e; i++) {
    const c = raw.charCodeAt(i);
    if (c === component) {
      if (++separators >= LOCATION_DESCRIPTION) return true;
    } else if (c === repetition) separators = 0;
  }
  return false;
}

/**
 * `raw` (an escaped PL field, HL7 v2.8 Ch. 2A PL; repetitions included) with each location
 * description (component 9) replaced by `text(value)` (escaped in, escaped out): "bed by the
 * window, wife Jane Roe stays overnight" is free text. Point of care, room, bed, facility and the
 * other components are codes and stay.
 */
export function mapLocationText(raw: string, enc: Hl7Encoding, text: (value: string) => string): string {
  if (!raw.includes(enc.component)) return raw;
  return raw
    .split(enc.repetition)
    .map((rep) => {
      const comps = rep.split(enc.component);
      const value = comps[LOCATION_DESCRIPTION];
      if (value === undefined || value === '' || value === '""') return rep;
      comps[LOCATION_DESCRIPTION] = text(value);
      return comps.join(enc.component);
    })
    .join(enc.repetition);
}
