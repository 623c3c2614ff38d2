import { KnownIdentifiersTextDeidentifier } from '../safe-harbor/known-identifiers-text-deidentifier.ts';
import { createClinicalTextDeidentifier } from './clinical-text-deidentifier.ts';
import { loadDictionaries, type Dictionaries } from './dictionaries.ts';
import type { ReplacementMode } from './replace/surrogate-writer.ts';
import type { KnownIdentifiers, TextDeidentifier } from './text-deidentifier.ts';

export interface RecordTextDeidentifierOptions {
  /** `tags` (default) or `surrogates`, as the clinical engine's. */
  readonly mode?: ReplacementMode;
  /** Shared word lists; by default loaded at the first text (a run without free text does not pay for them). */
  readonly dictionaries?: Dictionaries;
}

/**
 * The free text of a structured record (FHIR strings and notes, HL7 v2 OBX-5/NTE-3, DICOM
 * descriptors): the clinical engine on every text, however short, then the record's known
 * identifiers ({@link KnownIdentifiersTextDeidentifier}: the values as written, ids and phones
 * with any separators, dates in their usual spellings) in what is left. The clinical engine reads
 * the text as written: tagging a known first name first would hide from it the context of the
 * word after it (`wife Jane Roe present`). Safe Harbor (45 CFR
 * §164.514(b)(2)(i)) covers the identifiers of relatives, employers and household members and
 * every date element of a text, which no field of the record lists: "called daughter Mary Jones
 * 617-555-0199 on 3/15/2024" holds none of the patient's known identifiers. The known-identifier
 * engine alone finds nothing it was not told about.
 *
 * The clinical pass gets the record's known names only: its patterns take every date, phone,
 * e-mail and SSN anyway, and what it adds for known values is names by nickname and misspelling.
 * Its detector for a whole set compiles one regular expression per record, which in an HL7 feed
 * (a new patient per message) cost more than the rest of the message.
 *
 * Span offsets of the second pass (the known identifiers) refer to the first pass's output: use
 * the spans for counts.
 */
export function createRecordTextDeidentifier(options: RecordTextDeidentifierOptions = {}): TextDeidentifier {
  const known = new KnownIdentifiersTextDeidentifier();
  let clinical: TextDeidentifier | undefined;
  // One frozen names-only set per set given (the clinical engine finds its detector by identity).
  const namesOf = new WeakMap<KnownIdentifiers, KnownIdentifiers>();
  const names = (set: KnownIdentifiers): KnownIdentifiers => {
    let only = namesOf.get(set);
    if (only === undefined) namesOf.set(set, (only = Object.freeze({ names: Object.freeze([...(set.names ?? [])]) })));
    return only;
  };
  return {
    deidentify(request) {
      clinical ??= createClinicalTextDeidentifier({ mode: options.mode ?? 'tags', dictionaries: options.dictionaries ?? loadDictionaries() });
      const first = clinical.deidentify({
        text: request.text,
        ...(request.patient === undefined ? {} : { patient: request.patient }),
        ...(request.known === undefined ? {} : { known: names(request.known) }),
      });
      const second = known.deidentify({ ...request, text: first.text });
      return { text: second.text, spans: [...first.spans, ...second.spans] };
    },
  };
}
