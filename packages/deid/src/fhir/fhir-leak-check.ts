import { decodeAttachment } from './attachment-text.ts';
import { type JsonObject, isJsonObject } from './element-tree.ts';

const PERSON_TYPES = new Set(['Patient', 'RelatedPerson', 'Person', 'Practitioner']);
const DATE_WITH_DAY = /^(\d{4}-\d{2}-\d{2})/;

/**
 * Collects the identifying values of FHIR input (names, address lines, cities, full ZIPs, phones,
 * e-mails, identifier values, dates finer than a year, photo and attachment URLs, resource ids),
 * for tests and `--verify` checks that none of them appears in de-identified output.
 */
export function collectIdentifyingValues(resource: unknown, out = new Set<string>()): Set<string> {
  const visit = (value: unknown, owner: string, parentKey: string): void => {
    if (Array.isArray(value)) {
      for (const v of value) visit(v, owner, parentKey);
      return;
    }
    if (!isJsonObject(value)) {
      if (typeof value === 'string') {
        const d = DATE_WITH_DAY.exec(value);
        if (d?.[1] !== undefined && /^(date|birthDate|start|end|issued|effective|recorded|authored|onset|abatement|occurrence|performed|created|lastUpdated|period)/.test(parentKey)) out.add(d[1]);
      }
      return;
    }
    const type = typeof value.resourceType === 'string' ? value.resourceType : owner;
    if (typeof value.resourceType === 'string' && typeof value.id === 'string' && value.id.length >= 8 && /\d/.test(value.id)) out.add(value.id);
    const person = PERSON_TYPES.has(type);
    for (const [k, v] of Object.entries(value)) {
      if (k === 'name' && person) collectStrings(v, out, ['family', 'given', 'text']);
      if (k === 'address' && person) collectStrings(v, out, ['line', 'city', 'district', 'text']);
      if (k === 'postalCode' && typeof v === 'string' && v.length > 3) out.add(v);
      if (k === 'telecom') collectStrings(v, out, ['value']);
      if (k === 'identifier') collectStrings(v, out, ['value']);
      if ((k === 'photo' || k === 'content' || k === 'attachment') && isJsonObject(v)) collectStrings(v, out, ['url']);
      if (k === 'photo' || k === 'content') collectStrings(v, out, ['url']);
      if (k === 'fullUrl' && typeof v === 'string') out.add(v);
      visit(v, type, k);
    }
  };
  visit(resource, '', '');
  return out;
}

function collectStrings(value: unknown, out: Set<string>, keys: readonly string[]): void {
  if (Array.isArray(value)) {
    for (const v of value) collectStrings(v, out, keys);
    return;
  }
  if (!isJsonObject(value)) return;
  for (const [k, v] of Object.entries(value)) {
    if (keys.includes(k)) for (const s of [v].flat()) if (typeof s === 'string' && s.trim().length >= 4) out.add(s.trim());
    if (isJsonObject(v) || Array.isArray(v)) collectStrings(v, out, keys);
  }
}

/** Every text of de-identified output where a value could hide: the JSON and decoded text attachments. */
export function searchableText(resource: JsonObject): string {
  const parts = [JSON.stringify(resource)];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const v of value) visit(v);
      return;
    }
    if (!isJsonObject(value)) return;
    if (typeof value.data === 'string') parts.push(decodeAttachment(value.data, typeof value.contentType === 'string' ? value.contentType : '')?.text ?? Buffer.from(value.data, 'base64').toString('latin1'));
    for (const v of Object.values(value)) visit(v);
  };
  visit(resource);
  return parts.join('\n').toLowerCase();
}

/** The collected values found in the output (should be none). */
export function findLeaks(values: ReadonlySet<string>, output: JsonObject): string[] {
  const text = searchableText(output);
  return [...values].filter((v) => text.includes(v.toLowerCase()));
}
