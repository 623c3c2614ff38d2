import type { Hl7Encoding } from './hl7-encoding.ts';

/** A field: repetitions of components of subcomponents, each still escaped (HL7 v2.8 Ch. 2 §2.5). */
export type Hl7Field = string[][][];

/**
 * The fields of a segment's text, in HL7 numbering: `fields[n]` is field n. For MSH, FHS and BHS,
 * field 1 is the field separator itself and field 2 the encoding characters (kept whole).
 */
export function segmentFields(text: string, enc: Hl7Encoding): string[] {
  const parts = text.split(enc.field);
  if (isHeader(parts[0] ?? '')) parts.splice(1, 0, enc.field);
  return parts;
}

/** Inverse of {@link segmentFields}: `joinSegmentFields(segmentFields(t, e), e) === t`. */
export function joinSegmentFields(fields: readonly string[], enc: Hl7Encoding): string {
  if (isHeader(fields[0] ?? '')) return [fields[0], ...fields.slice(2)].join(enc.field);
  return fields.join(enc.field);
}

/** Splits a field into repetitions, components and subcomponents (values stay escaped). */
export function parseField(raw: string, enc: Hl7Encoding): Hl7Field {
  return raw.split(enc.repetition).map((rep) => rep.split(enc.component).map((comp) => comp.split(enc.subcomponent)));
}

export function serializeField(field: Hl7Field, enc: Hl7Encoding): string {
  return field.map((rep) => rep.map((comp) => comp.join(enc.subcomponent)).join(enc.component)).join(enc.repetition);
}

export function isHeader(id: string): boolean {
  return id === 'MSH' || id === 'FHS' || id === 'BHS';
}

/**
 * A segment text's id (its first three characters) as a number, when they are three ASCII
 * characters; -1 otherwise (shorter text, or a non-ASCII character: use the string).
 */
export function segmentIdKey(text: string): number {
  if (text.length < 3) return -1;
  const a = text.charCodeAt(0);
  const b = text.charCodeAt(1);
  const c = text.charCodeAt(2);
  return (a | b | c) < 128 ? (a << 14) | (b << 7) | c : -1;
}
