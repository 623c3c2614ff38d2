/**
 * One line of an HL7 file, kept byte for byte: what precedes the segment (a UTF-8 BOM, the MLLP
 * start block 0x0B), its text, and its terminator (CR, LF or CRLF; '' at the end of the file).
 */
export interface Hl7Line {
  readonly lead: string;
  text: string;
  readonly terminator: string;
  /** 1-based line number in the file, for error places. */
  readonly line: number;
}

const LEADS = /^[\uFEFF\x0B]+/;

/**
 * Splits a file into lines on CR, LF or CRLF (HL7 v2.8 Ch. 2 §2.5.1 says CR; files in the wild use
 * all three), so that {@link joinHl7Lines} gives back exactly the input.
 */
export function splitHl7Lines(text: string): Hl7Line[] {
  const lines: Hl7Line[] = [];
  let start = 0;
  let n = 1;
  const push = (end: number, terminator: string): void => {
    const raw = text.slice(start, end);
    const c0 = raw.charCodeAt(0);
    const lead = c0 === 0xfeff || c0 === 0x0b ? (LEADS.exec(raw)?.[0] ?? '') : '';
    lines.push({ lead, text: raw.slice(lead.length), terminator, line: n++ });
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13) {
      const crlf = text.charCodeAt(i + 1) === 10;
      push(i, crlf ? '\r\n' : '\r');
      if (crlf) i++;
      start = i + 1;
    } else if (c === 10) {
      push(i, '\n');
      start = i + 1;
    }
  }
  if (start < text.length) push(text.length, '');
  return lines;
}

export function joinHl7Lines(lines: readonly Hl7Line[]): string {
  let out = '';
  for (const l of lines) out += l.lead + l.text + l.terminator;
  return out;
}
