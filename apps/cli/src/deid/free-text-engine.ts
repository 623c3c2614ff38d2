import { KnownIdentifiersTextDeidentifier, createClinicalTextDeidentifier, loadDictionaries, type KnownIdentifiers, type TextDeidentifier } from '@phiguard/deid';
import { BatchError } from './batch-error.ts';

/**
 * The engine behind `--text-engine` (deid-options.ts): the one free text goes through (FHIR strings and notes, HL7 v2 OBX-5 TX/FT/ST, NTE-3, ...):
 *
 * - `clinical` (the default): the record's known identifiers first (exact and fuzzy), then the
 *   clinical engine on every text, however short. Safe Harbor (45 CFR §164.514(b)(2)(i)) covers
 *   the identifiers of relatives, employers and household members and every date element of the
 *   text, which no field of the record lists: "called daughter Mary Jones 617-555-0199 on
 *   3/15/2024" holds none of the patient's known identifiers.
 * - `known`: the record's known identifiers only, nothing else: for inputs whose free text was
 *   already de-identified, or tests. Not Safe Harbor on its own.
 *
 * The clinical pass gets the record's known names only: the first pass removed the known values
 * as written (ids and phones with any separators, dates in their usual spellings, e-mails,
 * addresses), the clinical patterns take every date, phone, e-mail and SSN anyway, and what the
 * clinical engine adds for known values is names by nickname and misspelling. Its known-value
 * detector for a whole set compiles one regular expression per record, which in an HL7 feed (a
 * new patient per message) cost more than the rest of the message.
 *
 * The clinical engine (its dictionaries) loads at the first text, so a run without free text does
 * not pay for it. Span offsets of the second pass refer to the first pass's output: callers use
 * the spans for counts only.
 */
export function freeTextEngine(kind: string): TextDeidentifier {
  const known = new KnownIdentifiersTextDeidentifier();
  if (kind === 'known') return known;
  if (kind !== 'clinical') throw new BatchError('bad-option', '--text-engine must be known or clinical', { place: { field: '--text-engine' } });
  let clinical: TextDeidentifier | undefined;
  // One frozen names-only set per set given (the clinical engine finds its detector by identity).
  const namesOf = new WeakMap<KnownIdentifiers, KnownIdentifiers>();
  const names = (set: KnownIdentifiers): KnownIdentifiers => {
    let only = namesOf.get(set);
    if (only === undefined) namesOf.set(set, (only = Object.freeze({ names: Object.freeze([...(set.names ?? [])]) })));
    return only;
  };
  return {
    deidentify: (request) => {
      const first = known.deidentify(request);
      clinical ??= createClinicalTextDeidentifier({ dictionaries: loadDictionaries() });
      const second = clinical.deidentify({ text: first.text, ...(request.patient === undefined ? {} : { patient: request.patient }), ...(request.known === undefined ? {} : { known: names(request.known) }) });
      return { text: second.text, spans: [...first.spans, ...second.spans] };
    },
  };
}
