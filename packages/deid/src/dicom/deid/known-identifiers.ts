import type { KnownIdentifiers } from '../../text/text-deidentifier.ts';
import { parseCharset, type DicomCharset } from '../charset.ts';
import type { DicomElement } from '../dataset.ts';
import { standardTagsOfVr } from '../dictionary.ts';
import { asciiOf, textOf } from '../values.ts';

const IDENTIFIER_TAGS = new Set([
  0x00100020, 0x00101000, 0x00101090, 0x00080050, 0x00200010, 0x00101002, 0x00380010, 0x00401001, 0x00402016, 0x00402017,
]);
const ADDRESS_TAGS = new Set([0x00101040, 0x00080081, 0x00380300]);
const PHONE_TAGS = new Set([0x00102154, 0x00080094]);
const DATE_TAGS = new Set([0x00100030]);
const PN_TAGS = standardTagsOfVr('PN');

function pnParts(value: string): string[] {
  const out = new Set<string>();
  for (const group of value.split('=')) {
    const parts = group
      .split('^')
      .map((p) => p.trim())
      .filter((p) => p.length >= 2);
    for (const p of parts) out.add(p);
    if (parts.length >= 2) {
      out.add(parts.join(' '));
      out.add(`${parts[1] ?? ''} ${parts[0] ?? ''}`.trim());
    }
  }
  return [...out];
}

/**
 * Identifiers of the instance already known from its header (every PN anywhere, patient ids,
 * accession, addresses, phones, birth date), handed to the {@link TextDeidentifier} so cleaned
 * descriptors and SR text lose them (PS3.15 §E.3.5, §E.3.11). PHI: never logged.
 */
export function collectKnownIdentifiers(dataset: readonly DicomElement[], charset: DicomCharset): KnownIdentifiers {
  const names = new Set<string>();
  const identifiers = new Set<string>();
  const addresses = new Set<string>();
  const phones = new Set<string>();
  const dates = new Set<string>();
  const visit = (elements: readonly DicomElement[], cs: DicomCharset): void => {
    const own = elements.find((e) => e.tag === 0x00080005);
    const local = own === undefined ? cs : parseCharset(asciiOf(own));
    for (const e of elements) {
      if (e.items !== undefined) {
        for (const item of e.items) visit(item.elements, local);
        continue;
      }
      if (e.value === undefined || e.value.byteLength > 4096) continue;
      // A name by its tag as well as its VR: a Patient Name written as UN, LO or OB is still a name.
      if (e.vr === 'PN' || PN_TAGS.has(e.tag)) {
        for (const v of (textOf(e, local) ?? '').split('\\')) for (const p of pnParts(v)) names.add(p);
      } else if (IDENTIFIER_TAGS.has(e.tag)) {
        for (const v of (textOf(e, local) ?? '').split('\\')) if (v.trim().length >= 2) identifiers.add(v.trim());
      } else if (ADDRESS_TAGS.has(e.tag)) {
        const v = textOf(e, local)?.trim();
        if (v !== undefined && v.length >= 2) addresses.add(v);
      } else if (PHONE_TAGS.has(e.tag)) {
        for (const v of (textOf(e, local) ?? '').split('\\')) if (v.trim().length >= 2) phones.add(v.trim());
      } else if (DATE_TAGS.has(e.tag)) {
        const v = asciiOf(e);
        if (v !== undefined && /^\d{8}$/.test(v)) dates.add(`${v.slice(0, 4)}-${v.slice(4, 6)}-${v.slice(6, 8)}`);
      }
    }
  };
  visit(dataset, charset);
  // Frozen: the text engine then finds its compiled detector by identity for every value of the instance.
  return Object.freeze({
    names: Object.freeze([...names]),
    identifiers: Object.freeze([...identifiers]),
    addresses: Object.freeze([...addresses]),
    phones: Object.freeze([...phones]),
    dates: Object.freeze([...dates]),
  });
}
