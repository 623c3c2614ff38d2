import type { GoldParse, GoldSpan } from './gold-document.ts';
import { categoryOfLabel } from './label-map.ts';

const TEXT_BOUND = /^T\d+\t(\S+) (\d+(?: \d+)*(?:;\d+ \d+)*)\t?(.*)$/;

/**
 * Reads BRAT standoff (`T1<TAB>LABEL start end<TAB>text`, discontinuous fragments `s e;s e`) for
 * the document `text`. Relations, notes and attributes are ignored. Offsets are checked against
 * the text: a span outside it is a problem (reported with its line number, not its text).
 */
export function readBrat(id: string, text: string, ann: string): GoldParse {
  const spans: GoldSpan[] = [];
  const lines = ann.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (!line.startsWith('T')) continue;
    const m = TEXT_BOUND.exec(line);
    if (m === null) return { ok: false, reason: 'malformed text-bound annotation', place: `${id}:${i + 1}` };
    const label = m[1] ?? '';
    for (const fragment of (m[2] ?? '').split(';')) {
      const [s, e] = fragment.split(' ').map(Number);
      if (s === undefined || e === undefined || !(s >= 0 && e > s && e <= text.length)) return { ok: false, reason: 'offsets outside the text', place: `${id}:${i + 1}` };
      spans.push({ start: s, end: e, label, category: categoryOfLabel(label, text.slice(s, e)) });
    }
  }
  return { ok: true, documents: [{ id, text, spans }] };
}

/** Writes spans as BRAT standoff (`.ann`), one `T` line per span, label = Safe Harbor category. */
export function writeBrat(text: string, spans: readonly { readonly start: number; readonly end: number; readonly category: string }[]): string {
  return spans.map((s, i) => `T${i + 1}\t${s.category} ${s.start} ${s.end}\t${text.slice(s.start, s.end).replace(/[\r\n\t]/g, ' ')}\n`).join('');
}
