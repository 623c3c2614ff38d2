import type { KnownIdentifiers } from '../text-deidentifier.ts';
import type { GoldDocument } from './gold-document.ts';
import { knownIdentifiersOfPatient, silverSpans } from './synthea-silver.ts';

/** A Synthea note with silver labels and the patient's known identifiers. */
export interface SilverNote extends GoldDocument {
  readonly known: KnownIdentifiers;
}

function obj(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** The text/plain attachments (base64) of a DocumentReference. */
function attachments(docRef: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const c of Array.isArray(docRef.content) ? (docRef.content as unknown[]) : []) {
    const a = obj(obj(c).attachment);
    if (typeof a.data === 'string' && (typeof a.contentType === 'string' ? a.contentType : 'text/plain').startsWith('text/plain')) out.push(Buffer.from(a.data, 'base64').toString('utf8'));
  }
  return out;
}

function note(id: string, text: string, patient: unknown): SilverNote {
  const known = knownIdentifiersOfPatient(patient);
  return { id, text, spans: silverSpans(text, known), known };
}

/** Notes of a FHIR bulk export: `Patient.ndjson` and `DocumentReference.ndjson` contents. */
export function notesFromNdjson(patientsNdjson: string, documentReferencesNdjson: string, idPrefix = 'ndjson'): SilverNote[] {
  const patients = new Map<string, unknown>();
  for (const line of patientsNdjson.split('\n')) {
    if (line.trim() === '') continue;
    const p = obj(JSON.parse(line));
    patients.set(`Patient/${String(p.id)}`, p);
  }
  const notes: SilverNote[] = [];
  let n = 0;
  for (const line of documentReferencesNdjson.split('\n')) {
    if (line.trim() === '') continue;
    const d = obj(JSON.parse(line));
    const patient = patients.get(String(obj(d.subject).reference));
    if (patient === undefined) continue;
    for (const text of attachments(d)) notes.push(note(`${idPrefix}#${n++}`, text, patient));
  }
  return notes;
}

/** Notes of a Synthea transaction Bundle (one patient per bundle). */
export function notesFromBundle(bundle: unknown, idPrefix = 'bundle'): SilverNote[] {
  const entries = (Array.isArray(obj(bundle).entry) ? (obj(bundle).entry as unknown[]) : []).map((e) => obj(obj(e).resource));
  const patient = entries.find((r) => r.resourceType === 'Patient');
  if (patient === undefined) return [];
  const notes: SilverNote[] = [];
  let n = 0;
  for (const r of entries) if (r.resourceType === 'DocumentReference') for (const text of attachments(r)) notes.push(note(`${idPrefix}#${n++}`, text, patient));
  return notes;
}
