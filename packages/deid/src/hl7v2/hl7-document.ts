import type { DeidError } from '../context/deid-error.ts';
import { DeidError as Err } from '../context/deid-error.ts';
import { readEncoding, type Hl7Encoding } from './hl7-encoding.ts';
import { joinHl7Lines, splitHl7Lines, type Hl7Line } from './hl7-lines.ts';

/** One message of a file: its lines `[start, end)` and its delimiters, or why it cannot be read. */
export type Hl7MessageSpan =
  | { readonly ok: true; readonly index: number; readonly start: number; readonly end: number; readonly encoding: Hl7Encoding }
  | { readonly ok: false; readonly index: number; readonly start: number; readonly end: number; readonly error: DeidError };

/**
 * A parsed HL7 v2 file: every line kept verbatim (so serializing gives back the input byte for
 * byte), messages found by their MSH, and what sits around them: batch envelopes (FHS/BHS/BTS/FTS,
 * HL7 v2.8 Ch. 2 §2.10.3), MLLP framing (0x0B … 0x1C 0x0D), blank lines.
 */
export interface Hl7Document {
  readonly lines: Hl7Line[];
  readonly messages: readonly Hl7MessageSpan[];
  /** Line indices outside any message (envelopes, framing, blank lines). */
  readonly envelope: readonly number[];
  /** Lines that belong to no message and are not envelopes: a message without MSH. */
  readonly orphans: readonly { readonly index: number; readonly error: DeidError }[];
}

const SEGMENT_ID = /^[A-Z][A-Z0-9]{2}$/;
const ENVELOPE = new Set(['FHS', 'BHS', 'BTS', 'FTS']);

export function parseHl7Document(text: string): Hl7Document {
  const lines = splitHl7Lines(text);
  const messages: Hl7MessageSpan[] = [];
  const envelope: number[] = [];
  const orphans: { index: number; error: DeidError }[] = [];
  let current: { index: number; start: number; encoding?: Hl7Encoding; error?: DeidError } | undefined;
  const close = (end: number): void => {
    if (current === undefined) return;
    messages.push(
      current.error === undefined && current.encoding !== undefined
        ? { ok: true, index: current.index, start: current.start, end, encoding: current.encoding }
        : { ok: false, index: current.index, start: current.start, end, error: current.error ?? new Err('hl7-bad-encoding', 'unreadable MSH') },
    );
    current = undefined;
  };
  lines.forEach((line, i) => {
    const id = line.text.slice(0, 3);
    if (line.text === '' || line.text.startsWith('\x1C')) {
      // Blank lines and the MLLP end block end a message; the framing itself is kept verbatim.
      close(i);
      envelope.push(i);
      return;
    }
    if (id === 'MSH') {
      close(i);
      current = { index: messages.length + 1, start: i };
      try {
        current.encoding = readEncoding(line.text);
      } catch (error) {
        current.error = withPlace(error as DeidError, line.line, current.index);
      }
      return;
    }
    if (ENVELOPE.has(id)) {
      close(i);
      envelope.push(i);
      return;
    }
    if (current === undefined) {
      orphans.push({ index: i, error: new Err('hl7-no-msh', 'segment outside any message (no MSH before it)', { place: { line: line.line, segment: SEGMENT_ID.test(id) ? id : '?' } }) });
      return;
    }
    if (!SEGMENT_ID.test(id) || (line.text.length > 3 && current.encoding !== undefined && line.text.charAt(3) !== current.encoding.field)) {
      current.error ??= new Err('hl7-bad-segment', 'line is not a segment (three-character id, then the field separator)', { place: { line: line.line, index: current.index } });
    }
  });
  close(lines.length);
  return { lines, messages, envelope, orphans };
}

export function serializeHl7Document(doc: Pick<Hl7Document, 'lines'>): string {
  return joinHl7Lines(doc.lines);
}

function withPlace(error: DeidError, line: number, index: number): DeidError {
  return new Err(error.code, error.message, { place: { ...error.place, line, index } });
}
