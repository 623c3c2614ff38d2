import { DEFAULT_ENCODING, type Hl7Encoding } from './hl7-encoding.ts';

/** A mapper of the free text inside a kept field (mapCodedText, mapLocationText, mapSpecimenText). */
export type TypedTextMapper = (raw: string, enc: Hl7Encoding, text: (value: string) => string) => string;

/** Test support: the values `map` hands to the text rule for `raw`, in order. */
export function textsTaken(map: TypedTextMapper, raw: string, enc: Hl7Encoding = DEFAULT_ENCODING): string[] {
  const seen: string[] = [];
  map(raw, enc, (value) => {
    seen.push(value);
    return `<${value}>`;
  });
  return seen;
}
