import { readEncoding, type Hl7Encoding } from './hl7-encoding.ts';

/** A file's messages (line ranges `[start, end)` and delimiters) and its envelope lines, in file order. */
export interface Hl7FileStructure {
  readonly starts: number[];
  readonly ends: number[];
  readonly encodings: Hl7Encoding[];
  /** Lines outside any message: batch envelopes, MLLP end blocks, blank lines. */
  readonly envelope: number[];
}

const A = 65;
const Z = 90;
const D0 = 48;
const D9 = 57;

/**
 * {@link readEncoding} of an MSH line, the last result reused when the delimiters are written the
 * same (MSH-1 and MSH-2: all `readEncoding` reads), as they are in nearly every message of a feed.
 */
export class Hl7EncodingCache {
  #key = '';
  #encoding: Hl7Encoding | undefined;

  read(msh: string): Hl7Encoding {
    const field = msh.charAt(3);
    const end = field === '' ? -1 : msh.indexOf(field, 4);
    const key = end < 0 ? msh.slice(3) : msh.slice(3, end);
    if (this.#encoding !== undefined && key === this.#key) return this.#encoding;
    const encoding = readEncoding(msh); // throws for unusable delimiters (nothing cached then)
    this.#key = key;
    this.#encoding = encoding;
    return encoding;
  }
}

/**
 * The structure `parseHl7Document` finds, for a file where it finds no problem, read from the
 * lines' texts without building a document: messages start at each MSH and end before the next
 * MSH, batch envelope (FHS/BHS/BTS/FTS), blank or MLLP end-block line. Returns undefined as soon
 * as the file has anything `parseHl7Document` would report (a segment before any MSH, unusable
 * delimiters, a line that is not a segment): the caller then takes the document's reading, with
 * its errors and places.
 */
export function cleanFileStructure(texts: readonly string[], encodings: Hl7EncodingCache): Hl7FileStructure | undefined {
  const out: Hl7FileStructure = { starts: [], ends: [], encodings: [], envelope: [] };
  let open = false;
  let enc: Hl7Encoding | undefined;
  for (let i = 0; i < texts.length; i++) {
    const t = texts[i] ?? '';
    if (t === '' || t.charCodeAt(0) === 0x1c) {
      if (open) out.ends.push(i);
      open = false;
      out.envelope.push(i);
      continue;
    }
    if (t.startsWith('MSH')) {
      if (open) out.ends.push(i);
      try {
        enc = encodings.read(t);
      } catch {
        return undefined;
      }
      out.starts.push(i);
      out.encodings.push(enc);
      open = true;
      continue;
    }
    if (t.startsWith('FHS') || t.startsWith('BHS') || t.startsWith('BTS') || t.startsWith('FTS')) {
      if (open) out.ends.push(i);
      open = false;
      out.envelope.push(i);
      continue;
    }
    if (!open || enc === undefined || !isSegmentId(t) || (t.length > 3 && t.charAt(3) !== enc.field)) return undefined;
  }
  if (open) out.ends.push(texts.length);
  return out;
}

/** `/^[A-Z][A-Z0-9]{2}$/` on the first three characters (`parseHl7Document`'s segment id test). */
function isSegmentId(t: string): boolean {
  if (t.length < 3) return false;
  const a = t.charCodeAt(0);
  const b = t.charCodeAt(1);
  const c = t.charCodeAt(2);
  return a >= A && a <= Z && ((b >= A && b <= Z) || (b >= D0 && b <= D9)) && ((c >= A && c <= Z) || (c >= D0 && c <= D9));
}
