import type { KnownIdentifiers } from '../text-deidentifier.ts';
import type { GoldSpan } from './gold-document.ts';
import type { SafeHarborCategory } from '../../safe-harbor/categories.ts';
import { writtenForms } from '../replace/date-mention.ts';

function obj(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? (v as unknown[]) : [];
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/**
 * The identifiers of a FHIR R4 Patient resource (names incl. mother's maiden name, birth and death
 * dates, identifier values, telecom, address lines, city, postal code) as {@link KnownIdentifiers}.
 */
export function knownIdentifiersOfPatient(patient: unknown): KnownIdentifiers {
  const p = obj(patient);
  const names: string[] = [];
  for (const n of arr(p.name)) {
    const name = obj(n);
    const given = arr(name.given).map(str).filter((s): s is string => s !== undefined);
    const family = str(name.family);
    if (given.length > 0 || family !== undefined) names.push([...given, family ?? ''].join(' ').trim());
  }
  const ext = arr(p.extension).map(obj);
  for (const e of ext) if (String(e.url).endsWith('patient-mothersMaidenName')) names.push(str(e.valueString) ?? '');
  const dates = [str(p.birthDate), str(p.deceasedDateTime)?.slice(0, 10)].filter((s): s is string => s !== undefined);
  const identifiers = arr(p.identifier).map((i) => str(obj(i).value)).filter((s): s is string => s !== undefined);
  const phones: string[] = [];
  const emails: string[] = [];
  for (const t of arr(p.telecom)) {
    const v = str(obj(t).value);
    if (v === undefined) continue;
    if (obj(t).system === 'email') emails.push(v);
    else phones.push(v);
  }
  const addresses: string[] = [];
  for (const a of arr(p.address)) {
    const ad = obj(a);
    for (const line of arr(ad.line)) if (str(line) !== undefined) addresses.push(String(line));
    for (const k of ['city', 'postalCode', 'district']) if (str(ad[k]) !== undefined) addresses.push(String(ad[k]));
  }
  return { names: names.filter((n) => n.length > 0), dates, identifiers, phones, emails, addresses };
}

function occurrences(text: string, needle: string, category: SafeHarborCategory, label: string, out: GoldSpan[]): void {
  if (needle.length < 2) return;
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
    const before = text.charCodeAt(at - 1);
    const after = text.charCodeAt(at + needle.length);
    const word = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (word(before) || word(after)) continue;
    out.push({ start: at, end: at + needle.length, label, category });
  }
}

/**
 * Silver labels for a Synthea note: every occurrence (exact, word-bounded) in the note of an
 * identifier of the patient's own Patient resource: whole names and name parts, birth/death date in ISO and common
 * written forms, identifier values, phone, e-mail and address parts. Overlaps are kept as is.
 */
export function silverSpans(text: string, known: KnownIdentifiers): GoldSpan[] {
  const out: GoldSpan[] = [];
  // Whole names first (`Marine542 Ai120`: any run of two or more of its words, or given + family), then parts.
  for (const name of known.names ?? []) {
    const words = name.split(/\s+/);
    const variants = new Set([name, `${words[0] ?? ''} ${words[words.length - 1] ?? ''}`]);
    for (let i = 0; i < words.length; i++) for (let j = i + 2; j <= words.length; j++) variants.add(words.slice(i, j).join(' '));
    for (const whole of [...variants].sort((a, b) => b.length - a.length)) {
      const found: GoldSpan[] = [];
      occurrences(text, whole, 'name', 'PATIENT', found);
      for (const f of found) if (!out.some((o) => o.start < f.end && f.start < o.end)) out.push(f);
    }
  }
  for (const name of known.names ?? []) {
    for (const part of name.split(/\s+/)) {
      const parts: GoldSpan[] = [];
      occurrences(text, part, 'name', 'PATIENT', parts);
      for (const p of parts) if (!out.some((o) => o.start <= p.start && p.end <= o.end)) out.push(p);
    }
  }
  for (const date of known.dates ?? []) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
    const forms = m === null ? [date] : writtenForms(Number(m[1]), Number(m[2]), Number(m[3]));
    for (const f of forms) occurrences(text, f, 'date', 'DATE', out);
  }
  for (const id of known.identifiers ?? []) occurrences(text, id, /^\d{3}-\d{2}-\d{4}$/.test(id) ? 'ssn' : 'mrn', 'ID', out);
  for (const p of known.phones ?? []) occurrences(text, p, 'phone', 'PHONE', out);
  for (const e of known.emails ?? []) occurrences(text, e, 'email', 'EMAIL', out);
  for (const a of known.addresses ?? []) occurrences(text, a, 'geographic', 'ADDRESS', out);
  return out;
}
