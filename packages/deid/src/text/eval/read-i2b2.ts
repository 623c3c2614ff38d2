import type { GoldParse, GoldSpan } from './gold-document.ts';
import { categoryOfLabel } from './label-map.ts';

const TEXT = /<TEXT>\s*<!\[CDATA\[([\s\S]*?)\]\]>\s*<\/TEXT>/;
const TAGS = /<TAGS>([\s\S]*?)<\/TAGS>/;
const TAG = /<([A-Z_]+)\s+([^>]*?)\/>/g;
const ATTR = /(\w+)="([^"]*)"/g;

/**
 * Reads the i2b2 2014 de-identification XML (`<deIdi2b2><TEXT><![CDATA[...]]></TEXT><TAGS>
 * <NAME id="P0" start="16" end="20" text="..." TYPE="PATIENT" comment=""/>...</TAGS>`). The
 * category comes from `TYPE` (PATIENT, DOCTOR, HOSPITAL, DATE, ...), falling back to the tag name.
 */
export function readI2b2(id: string, xml: string): GoldParse {
  const textMatch = TEXT.exec(xml);
  if (textMatch === null) return { ok: false, reason: 'no TEXT CDATA element', place: id };
  const text = textMatch[1] ?? '';
  const spans: GoldSpan[] = [];
  const tags = TAGS.exec(xml)?.[1] ?? '';
  for (const m of tags.matchAll(TAG)) {
    const attrs = new Map<string, string>();
    for (const a of (m[2] ?? '').matchAll(ATTR)) attrs.set((a[1] ?? '').toLowerCase(), a[2] ?? '');
    const start = Number(attrs.get('start'));
    const end = Number(attrs.get('end'));
    if (!(start >= 0 && end > start && end <= text.length)) return { ok: false, reason: 'offsets outside the text', place: `${id}:${attrs.get('id') ?? '?'}` };
    const label = attrs.get('type') ?? m[1] ?? '';
    spans.push({ start, end, label, category: categoryOfLabel(label, text.slice(start, end)) ?? categoryOfLabel(m[1] ?? '', text.slice(start, end)) });
  }
  return { ok: true, documents: [{ id, text, spans }] };
}
