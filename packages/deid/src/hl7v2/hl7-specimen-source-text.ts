import { mapCodedParts } from './hl7-coded-text.ts';
import type { Hl7Encoding } from './hl7-encoding.ts';

/** SPS-2, Additives (0-based): TX in HL7 v2.3 and v2.4, a CWE from v2.5. */
const ADDITIVES = 1;
/** SPS-3, Specimen Collection Method (0-based): TX, free text in every version. */
const COLLECTION_METHOD = 2;

/**
 * Whether `raw[s, e)` (an escaped SPS field, OBR-15) may hold a part {@link mapSpecimenText} would
 * pass to the text rule: any component or subcomponent separator. A cheap superset, read in
 * place: most specimen sources are empty or a bare code (`BLD`) and are kept without being split.
 */
export function mayHoldSpecimenText(raw: string, s: number, e: number, enc: Hl7Encoding): boolean {
  const component = enc.component.charCodeAt(0);
  const subcomponent = enc.subcomponent.charCodeAt(0);
  for (let i = s; i < e; i++) {
    const c = raw.charCodeAt(i);
    if (c === component || c === subcomponent) return true;
  }
  return false;
}

/**
 * `raw` (an escaped specimen source, HL7 v2.5.1 Ch. 2A SPS; v2.3 CM_SPS; repetitions included)
 * with the free text a person typed replaced by `text(value)` (escaped in, escaped out):
 * - the collection method (SPS-3, TX): "swab collected at home by daughter Mary Roe";
 * - the additives (SPS-2) when they are not a coded entry (TX before v2.5);
 * - inside every coded component (SPS-1, -2, -4 to -7, CWE with subcomponents), the text with no
 *   code beside it and the original text, as in any coded entry (hl7-coded-text.ts).
 * Codes and the displays beside them stay.
 */
export function mapSpecimenText(raw: string, enc: Hl7Encoding, text: (value: string) => string): string {
  return raw
    .split(enc.repetition)
    .map((rep) => {
      const comps = rep.split(enc.component);
      for (let i = 0; i < comps.length; i++) {
        const value = comps[i] as string;
        if (value === '' || value === '""') continue;
        const coded = value.includes(enc.subcomponent);
        if (i === COLLECTION_METHOD || (i === ADDITIVES && !coded)) comps[i] = text(value);
        else if (coded) {
          const subs = value.split(enc.subcomponent);
          mapCodedParts(subs, text);
          comps[i] = subs.join(enc.subcomponent);
        }
      }
      return comps.join(enc.component);
    })
    .join(enc.repetition);
}
