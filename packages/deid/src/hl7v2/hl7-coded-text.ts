import type { Hl7Encoding } from './hl7-encoding.ts';

/**
 * The free text inside a coded entry (HL7 v2.8 Ch. 2A CE, CWE, CNE, CF): the text (component 2)
 * and the alternate text (component 5) when the identifier before each is empty, and CWE/CNE
 * original text (component 9), free text by definition. A display beside its code is the code's
 * name and stays; a text with no code is what a person typed (`^Fell at home, found by neighbor
 * Ann Lee^`). 0-based component indexes.
 */
const CODED_TEXT: readonly number[] = [1, 4, 8];
const ORIGINAL_TEXT = 8;

/**
 * Whether `raw[s, e)` (an escaped field) may hold a component {@link mapCodedText} would pass to
 * the text rule: a repetition whose first component is blank and that has a second, or one with
 * five components or more. A cheap superset, read in place: most coded fields are a bare code or
 * `code^display^system` and are kept without being split.
 */
export function mayHoldCodedText(raw: string, s: number, e: number, enc: Hl7Encoding): boolean {
  const component = enc.component.charCodeAt(0);
  const repetition = enc.repetition.charCodeAt(0);
  let separators = 0;
  let blankFirst = true;
  for (let i = s; i < e; i++) {
    const c = raw.charCodeAt(i);
    if (c === component) {
      if (separators === 0 && blankFirst) return true;
      separators += 1;
      if (separators >= 4) return true;
    } else if (c === repetition) {
      separators = 0;
      blankFirst = true;
    } else if (separators === 0 && c !== 0x20) {
      blankFirst = false;
    }
  }
  return false;
}

/**
 * `raw` (an escaped coded field, repetitions included) with each free-text component
 * ({@link CODED_TEXT}) replaced by `text(value)` (escaped in, escaped out); empty and `""`
 * components, codes and displays stay as they are.
 */
export function mapCodedText(raw: string, enc: Hl7Encoding, text: (value: string) => string): string {
  if (!raw.includes(enc.component)) return raw;
  return raw
    .split(enc.repetition)
    .map((rep) => {
      if (!rep.includes(enc.component)) return rep;
      const comps = rep.split(enc.component);
      mapCodedParts(comps, text);
      return comps.join(enc.component);
    })
    .join(enc.repetition);
}

/**
 * The parts of one coded entry (its components, or its subcomponents where the entry is itself a
 * component, as in SPS-1) with each free-text part ({@link CODED_TEXT}) replaced by `text(value)`,
 * in place.
 */
export function mapCodedParts(parts: string[], text: (value: string) => string): void {
  for (const i of CODED_TEXT) {
    const value = parts[i];
    if (value === undefined || value === '' || value === '""') continue;
    if (i !== ORIGINAL_TEXT && (parts[i - 1] ?? '').trim() !== '') continue;
    parts[i] = text(value);
  }
}
