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
  // The next CR and LF, found by the engine's native search rather than a loop over every character.
  let cr = text.indexOf('\r');
  let lf = text.indexOf('\n');
  while (cr >= 0 || lf >= 0) {
    let end: number;
    let terminator: string;
    if (cr >= 0 && (lf < 0 || cr < lf)) {
      end = cr;
      terminator = text.charCodeAt(cr + 1) === 10 ? '\r\n' : '\r';
    } else {
      end = lf;
      terminator = '\n';
    }
    lines.push(line(text, start, end, terminator, n++));
    start = end + terminator.length;
    if (cr >= 0 && cr < start) cr = text.indexOf('\r', start);
    if (lf >= 0 && lf < start) lf = text.indexOf('\n', start);
  }
  if (start < text.length) lines.push(line(text, start, text.length, '', n));
  return lines;
}

function line(text: string, start: number, end: number, terminator: string, n: number): Hl7Line {
  const c0 = text.charCodeAt(start);
  if (c0 !== 0xfeff && c0 !== 0x0b) return { lead: '', text: text.slice(start, end), terminator, line: n };
  const raw = text.slice(start, end);
  const lead = LEADS.exec(raw)?.[0] ?? '';
  return { lead, text: raw.slice(lead.length), terminator, line: n };
}

export function joinHl7Lines(lines: readonly Hl7Line[]): string {
  let out = '';
  for (const l of lines) out += l.lead + l.text + l.terminator;
  return out;
}
