import type { GoldDocument, GoldParse, GoldSpan } from './gold-document.ts';
import { categoryOfLabel } from './label-map.ts';

interface PresidioRecord {
  readonly full_text?: unknown;
  readonly spans?: unknown;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/**
 * Reads Presidio research JSON (`[{ full_text, spans: [{ entity_type, start_position,
 * end_position }] }]`, as in presidio-research `synth_dataset_v2.json`): one document per record.
 */
export function readPresidio(id: string, json: string): GoldParse {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    return { ok: false, reason: 'not JSON', place: id };
  }
  if (!Array.isArray(data)) return { ok: false, reason: 'not an array of records', place: id };
  const documents: GoldDocument[] = [];
  for (let i = 0; i < data.length; i++) {
    const rec = data[i] as PresidioRecord;
    if (!isRecord(rec) || typeof rec.full_text !== 'string' || !Array.isArray(rec.spans)) return { ok: false, reason: 'record without full_text/spans', place: `${id}#${i}` };
    const text = rec.full_text;
    const spans: GoldSpan[] = [];
    for (const s of rec.spans as unknown[]) {
      if (!isRecord(s)) continue;
      const start = Number(s.start_position);
      const end = Number(s.end_position);
      const label = typeof s.entity_type === 'string' ? s.entity_type : '';
      if (!(start >= 0 && end > start && end <= text.length)) return { ok: false, reason: 'offsets outside the text', place: `${id}#${i}` };
      spans.push({ start, end, label, category: categoryOfLabel(label, text.slice(start, end)) });
    }
    documents.push({ id: `${id}#${i}`, text, spans });
  }
  return { ok: true, documents };
}
