import type { Hl7Encoding } from './hl7-encoding.ts';

/**
 * Turns an escaped HL7 text value into plain text, HL7 v2.8 Ch. 2 §2.7: \F\ \S\ \T\ \R\ \E\ (and
 * \P\, the v2.7 truncation character) become their delimiters, \.br\ a line break, \X..\ the
 * bytes it spells (as Latin-1), \H\ and \N\ (highlighting) are dropped. Sequences this cannot
 * express in plain text (\Cxxyy\, \Mxxyyzz\, \Zxx\, other formatting) become U+FFFC and are
 * returned in `opaque`, in order, so {@link encodeHl7Text} can put them back verbatim.
 */
export function decodeHl7Text(raw: string, enc: Hl7Encoding): { text: string; opaque: string[] } {
  const opaque: string[] = [];
  if (!raw.includes(enc.escape)) return { text: raw, opaque };
  let text = '';
  let i = 0;
  // Runs between escape sequences are copied whole (one slice each), not character by character.
  for (;;) {
    const start = raw.indexOf(enc.escape, i);
    const end = start < 0 ? -1 : raw.indexOf(enc.escape, start + 1);
    if (end < 0) {
      text += raw.slice(i);
      break;
    }
    if (start > i) text += raw.slice(i, start);
    const body = raw.slice(start + 1, end);
    const whole = raw.slice(start, end + 1);
    i = end + 1;
    switch (body) {
      case 'F': text += enc.field; break;
      case 'S': text += enc.component; break;
      case 'T': text += enc.subcomponent; break;
      case 'R': text += enc.repetition; break;
      case 'E': text += enc.escape; break;
      case 'P': text += enc.truncation === '' ? whole : enc.truncation; break;
      case '.br': text += '\n'; break;
      case 'H': case 'N': break;
      default:
        if (/^X(?:[0-9A-Fa-f]{2})+$/.test(body)) {
          text += Buffer.from(body.slice(1), 'hex').toString('latin1');
        } else {
          opaque.push(whole);
          text += '\uFFFC';
        }
    }
  }
  return { text, opaque };
}

/**
 * Escapes plain text for an HL7 field (the inverse of {@link decodeHl7Text} for what it can
 * express): delimiters become \F\ \S\ \T\ \R\ \E\, line breaks \.br\, and each U+FFFC takes the
 * next opaque sequence back (or is dropped when none is left).
 */
export function encodeHl7Text(text: string, enc: Hl7Encoding, opaque: readonly string[] = []): string {
  if (!needsEscaping(text, enc)) return text;
  let out = '';
  let next = 0;
  // Plain runs are copied whole (one slice each); only the characters to escape are looked at one by one.
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 32) continue;
    const ch = text.charAt(i);
    let replacement: string;
    if (ch === enc.escape) replacement = `${enc.escape}E${enc.escape}`;
    else if (ch === enc.field) replacement = `${enc.escape}F${enc.escape}`;
    else if (ch === enc.component) replacement = `${enc.escape}S${enc.escape}`;
    else if (ch === enc.subcomponent) replacement = `${enc.escape}T${enc.escape}`;
    else if (ch === enc.repetition) replacement = `${enc.escape}R${enc.escape}`;
    else if (enc.truncation !== '' && ch === enc.truncation) replacement = `${enc.escape}P${enc.escape}`;
    else if (ch === '\r' && text.charAt(i + 1) === '\n') replacement = '';
    else if (ch === '\n' || ch === '\r') replacement = `${enc.escape}.br${enc.escape}`;
    else if (ch === '\uFFFC') replacement = opaque[next++] ?? '';
    else continue;
    out += text.slice(run, i) + replacement;
    run = i + 1;
  }
  out += text.slice(run);
  return out;
}

/** Whether {@link encodeHl7Text} would change `text` (most values, pseudonyms included, need nothing). */
function needsEscaping(text: string, enc: Hl7Encoding): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // Letters, digits and space are never delimiters (readEncoding refuses them); CR, LF and U+FFFC are rewritten too.
    if (c === 13 || c === 10 || c === 0xfffc) return true;
    if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 32) continue;
    const ch = text.charAt(i);
    if (ch === enc.escape || ch === enc.field || ch === enc.component || ch === enc.subcomponent || ch === enc.repetition || (enc.truncation !== '' && ch === enc.truncation)) return true;
  }
  return false;
}
