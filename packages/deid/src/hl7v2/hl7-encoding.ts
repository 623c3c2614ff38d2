import { DeidError } from '../context/deid-error.ts';

/**
 * The delimiters of one message, HL7 v2.8 Ch. 2 §2.5.4: the field separator is MSH-1 (the 4th
 * character of MSH, FHS or BHS); MSH-2 holds the component, repetition, escape and subcomponent
 * characters and, from v2.7, the truncation character.
 */
export interface Hl7Encoding {
  readonly field: string;
  readonly component: string;
  readonly repetition: string;
  readonly escape: string;
  readonly subcomponent: string;
  /** v2.7+ truncation character (`#`), or '' when MSH-2 has four characters. */
  readonly truncation: string;
}

export const DEFAULT_ENCODING: Hl7Encoding = Object.freeze({ field: '|', component: '^', repetition: '~', escape: '\\', subcomponent: '&', truncation: '' });

const FORBIDDEN = /[A-Za-z0-9\r\n\x0B\x1C ]/;

/**
 * Reads the encoding characters of an MSH/FHS/BHS segment's text. Throws {@link DeidError}
 * `hl7-bad-encoding` (field 1 or 2) when the separators are missing, repeated, alphanumeric or
 * white space: such a message cannot be parsed safely, so it is refused, never guessed at.
 */
export function readEncoding(segmentText: string): Hl7Encoding {
  const field = segmentText.charAt(3);
  if (field === '' || FORBIDDEN.test(field)) throw new DeidError('hl7-bad-encoding', 'MSH-1 (field separator) is missing or not a delimiter', { place: { segment: segmentText.slice(0, 3), field: '1' } });
  const end = segmentText.indexOf(field, 4);
  const chars = end < 0 ? segmentText.slice(4) : segmentText.slice(4, end);
  const bad = (why: string): never => {
    throw new DeidError('hl7-bad-encoding', `MSH-2 (encoding characters) ${why}`, { place: { segment: segmentText.slice(0, 3), field: '2' } });
  };
  if (chars.length < 4 || chars.length > 5) bad('must have 4 or 5 characters');
  const all = [field];
  for (let i = 0; i < chars.length; i++) all.push(chars.charAt(i));
  if (new Set(all).size !== all.length) bad('repeats a delimiter');
  if (all.some((c) => FORBIDDEN.test(c))) bad('holds a letter, digit or white space');
  return { field, component: chars.charAt(0), repetition: chars.charAt(1), escape: chars.charAt(2), subcomponent: chars.charAt(3), truncation: chars.charAt(4) };
}
