import { isAscii } from 'node:buffer';
import { sniffHl7Utf16, type Hl7Charset } from '@phiguard/deid';

/**
 * Cuts HL7 v2 text (arriving in pieces) into groups of whole messages, before every line that
 * starts a message (`MSH`, or `<VT>MSH` under MLLP framing) except the first: batch headers
 * (FHS/BHS) stay with the first message, trailers (BTS/FTS) with the last, so each group
 * de-identifies exactly as it would inside the whole file. Memory: one message plus one piece.
 */
export function* hl7MessageGroups(pieces: Iterable<string>): Generator<string> {
  let buf = '';
  let seenMsh = false;
  let scan = 0;
  for (const piece of pieces) {
    buf += piece;
    let start = 0;
    for (;;) {
      const cut = nextMessageStart(buf, scan);
      if (cut < 0) break;
      if (seenMsh && cut > start) {
        yield buf.slice(start, cut);
        start = cut;
      }
      seenMsh = true;
      scan = cut + 1;
    }
    buf = buf.slice(start);
    scan = Math.max(0, scan - start);
  }
  if (buf !== '') yield buf;
}

/** The next offset ≥ `from` where a line starts with MSH (after CR/LF or at 0); -1 if none is complete yet. */
function nextMessageStart(text: string, from: number): number {
  for (let i = text.indexOf('MSH', from); i >= 0; i = text.indexOf('MSH', i + 1)) {
    const lineStart = i > 0 && text.charCodeAt(i - 1) === 0x0b ? i - 1 : i;
    if (lineStart < from) continue; // met already (a framed start found from inside its frame byte)
    if (lineStart === 0) return 0;
    const before = text.charCodeAt(lineStart - 1);
    if (before === 13 || before === 10) return lineStart;
  }
  return -1;
}

/** Lines (CR, LF or CRLF terminated, as hl7-lines.ts counts them) that end in `text`. */
export function terminatedLines(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13) n++;
    else if (c === 10 && (i === 0 || text.charCodeAt(i - 1) !== 13)) n++;
  }
  return n;
}

/** Bytes {@link sniffHl7Utf16} needs: a byte order mark, or two code units. */
const HEAD_BYTES = 4;

/**
 * The byte charset of a file that is not UTF-16 ({@link utf16Of} decides that first): `utf-8` when
 * every byte is valid UTF-8 (read once, in chunks), else `latin1`, as decodeHl7Bytes decides.
 */
export function hl7CharsetOf(chunks: Iterable<Uint8Array>): Hl7Charset {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  try {
    for (const c of chunks) decoder.decode(c, { stream: true });
    decoder.decode();
    return 'utf-8';
  } catch {
    return 'latin1';
  }
}

/** The UTF-16 charset of a file by its first bytes (reading no more, closing what it opened), or undefined for a byte charset. */
export function utf16Of(chunks: Iterable<Uint8Array>): 'utf-16le' | 'utf-16be' | undefined {
  const head: Uint8Array[] = [];
  let headBytes = 0;
  const reader = chunks[Symbol.iterator]();
  try {
    while (headBytes < HEAD_BYTES) {
      const r = reader.next();
      if (r.done === true) break;
      head.push(r.value);
      headBytes += r.value.byteLength;
    }
  } finally {
    reader.return?.();
  }
  return sniffHl7Utf16(Buffer.concat(head));
}

/** Text pieces of byte chunks in the given charset (a BOM stays in the text, as in decodeHl7Bytes). */
export function* hl7Pieces(chunks: Iterable<Uint8Array>, charset: Hl7Charset): Generator<string> {
  if (charset === 'latin1') {
    for (const c of chunks) yield Buffer.from(c.buffer, c.byteOffset, c.byteLength).toString('latin1');
    return;
  }
  const decoder = new TextDecoder(charset, { ignoreBOM: true });
  for (const c of chunks) yield decoder.decode(c, { stream: true });
  const rest = decoder.decode();
  if (rest !== '') yield rest;
}

/**
 * {@link hl7Pieces} for byte charsets (not UTF-16: see {@link utf16Of}) with the charset asked for only when it matters: ASCII bytes are the same text
 * in UTF-8 and Latin-1, so chunks come at once while they are ASCII; at the first chunk holding
 * another byte `charset()` decides (a pass over the whole file, {@link hl7CharsetOf}) and the rest
 * is decoded in it. Same text as `hl7Pieces(chunks, hl7CharsetOf(...))`; an ASCII file is read once,
 * and a file still being uploaded (remote/deid-spool-progress.ts) is read as it arrives.
 */
export function* hl7PiecesLazy(chunks: Iterable<Uint8Array>, charset: () => Hl7Charset): Generator<string> {
  let decided: Hl7Charset | undefined;
  const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
  for (const c of chunks) {
    if (decided === undefined && !isAscii(c)) decided = charset();
    if (decided === 'utf-8') yield utf8.decode(c, { stream: true });
    else yield Buffer.from(c.buffer, c.byteOffset, c.byteLength).toString('latin1');
  }
  if (decided !== 'utf-8') return;
  const rest = utf8.decode();
  if (rest !== '') yield rest;
}
