import { isWordChar } from '../../text/detectors/span-lookup.ts';
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

/** Shorter name parts (`LI`, `MR`) and identifiers match too much by chance to decide alone. */
const MIN_NAME_PART = 3;
const MIN_IDENTIFIER = 4;
/** The patient's own names and ids in the Patient module (PS3.3 §C.7.1.1): the words looked for in attributes Table E.1-1 does not list. */
const PATIENT_NAME_TAGS: readonly number[] = [0x00100010, 0x00101001, 0x00101005, 0x00101060];
const PATIENT_ID_TAGS: readonly number[] = [0x00100020, 0x00101000, 0x00101090];

/** The words of the patient's names and ids, upper case (PHI, memory only), and whether any is beyond ASCII. */
export interface PatientWords {
  readonly words: readonly string[];
  readonly ascii: boolean;
}

/** {@link PatientWords} of a data set's top level: name parts of 3 letters or more, ids of 4 characters or more. */
export function patientWordsOf(dataset: readonly DicomElement[], charset: DicomCharset): PatientWords {
  const words = new Set<string>();
  const add = (tags: readonly number[], min: number): void => {
    for (const tag of tags) {
      const e = dataset.find((x) => x.tag === tag);
      const text = e === undefined ? undefined : textOf(e, charset);
      for (const part of (text ?? '').toUpperCase().split(/[\s^=\\,]+/)) if (part.length >= min) words.add(part);
    }
  };
  add(PATIENT_NAME_TAGS, MIN_NAME_PART);
  add(PATIENT_ID_TAGS, MIN_IDENTIFIER);
  const list = [...words];
  return { words: list, ascii: list.every((w) => /^[\x20-\x7e]*$/.test(w)) };
}

/**
 * Whether `upper` (a value in upper case) holds one of the patient's words as a whole word: the
 * cheap test that sends an attribute Table E.1-1 does not list through the text engine
 * (`WHITFIELD window` in a Window Center & Width Explanation). PHI: the answer only.
 */
export function mentionsPatient(upper: string, patient: PatientWords): boolean {
  for (const word of patient.words) {
    for (let at = upper.indexOf(word); at >= 0; at = upper.indexOf(word, at + 1)) {
      if (!isWordChar(upper, at - 1) && !isWordChar(upper, at + word.length)) return true;
    }
  }
  return false;
}

