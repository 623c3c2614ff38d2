// The character-by-character escape codec that src/hl7v2/hl7-escape.ts replaced with run copying:
// the oracle its property test compares against (same text, same opaque sequences).
import type { Hl7Encoding } from '../../src/hl7v2/hl7-encoding.ts';

/**
 * Turns an escaped HL7 text value into plain text, HL7 v2.8 Ch. 2 §2.7: \F\ \S\ \T\ \R\ \E\ (and
 * \P\, the v2.7 truncation character) become their delimiters, \.br\ a line break, \X..\ the
 * bytes it spells (as Latin-1), \H\ and \N\ (highlighting) are dropped. Sequences this cannot
 * express in plain text (\Cxxyy\, \Mxxyyzz\, \Zxx\, other formatting) become U+FFFC and are
 * returned in `opaque`, in order, so {@link referenceEncodeHl7Text} can put them back verbatim.
 */
export function referenceDecodeHl7Text(raw: string, enc: Hl7Encoding): { text: string; opaque: string[] } {
  const opaque: string[] = [];
  if (!raw.includes(enc.escape)) return { text: raw, opaque };
  let text = '';
  let i = 0;
  while (i < raw.length) {
    const ch = raw.charAt(i);
    const end = ch === enc.escape ? raw.indexOf(enc.escape, i + 1) : -1;
    if (end < 0) {
      text += ch;
      i += 1;
      continue;
    }
    const body = raw.slice(i + 1, end);
    const whole = raw.slice(i, end + 1);
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
 * Escapes plain text for an HL7 field (the inverse of {@link referenceDecodeHl7Text} for what it can
 * express): delimiters become \F\ \S\ \T\ \R\ \E\, line breaks \.br\, and each U+FFFC takes the
 * next opaque sequence back (or is dropped when none is left).
 */
export function referenceEncodeHl7Text(text: string, enc: Hl7Encoding, opaque: readonly string[] = []): string {
  if (!needsEscaping(text, enc)) return text;
  let out = '';
  let next = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    if (ch === enc.escape) out += `${enc.escape}E${enc.escape}`;
    else if (ch === enc.field) out += `${enc.escape}F${enc.escape}`;
    else if (ch === enc.component) out += `${enc.escape}S${enc.escape}`;
    else if (ch === enc.subcomponent) out += `${enc.escape}T${enc.escape}`;
    else if (ch === enc.repetition) out += `${enc.escape}R${enc.escape}`;
    else if (enc.truncation !== '' && ch === enc.truncation) out += `${enc.escape}P${enc.escape}`;
    else if (ch === '\r' && text.charAt(i + 1) === '\n') continue;
    else if (ch === '\n' || ch === '\r') out += `${enc.escape}.br${enc.escape}`;
    else if (ch === '\uFFFC') out += opaque[next++] ?? '';
    else out += ch;
  }
  return out;
}

/** Whether {@link referenceEncodeHl7Text} would change `text` (most values, pseudonyms included, need nothing). */
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
