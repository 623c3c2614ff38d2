import type { KnownIdentifiers } from '../../src/text/text-deidentifier.ts';
import type { Hl7Encoding } from '../../src/hl7v2/hl7-encoding.ts';
import { decodeHl7Text } from '../../src/hl7v2/hl7-escape.ts';
import { hl7DateToIso } from '../../src/hl7v2/hl7-date.ts';
import { segmentFields } from '../../src/hl7v2/hl7-structure.ts';
import type { FieldRule } from '../../src/hl7v2/hl7-safe-harbor-table.ts';

/** Name particles: ordinary words of text alone, never a name by themselves. */
const PARTICLES: ReadonlySet<string> = new Set(['de', 'la', 'le', 'del', 'della', 'der', 'den', 'van', 'von', 'di', 'da', 'du', 'dos', 'das', 'el', 'al', 'bin', 'ibn', 'st', 'st.', 'jr', 'jr.', 'sr', 'sr.', 'mr', 'mr.', 'mrs', 'mrs.', 'ms', 'ms.', 'dr', 'dr.', 'and', 'y']);

const COLLECTED = new Set(['name', 'org', 'prov', 'addr', 'county', 'place', 'phone', 'pid', 'mrn', 'ssn', 'lic', 'plan', 'acct', 'id', 'eip', 'dev', 'dob']);

/**
 * Collects, from one message's structured fields, the identifiers that free text (OBX-5, NTE-3,
 * ...) must not repeat: names (each part), street and city, ZIP, phones and e-mails, identifiers,
 * dates of birth. PHI: lives only in memory for the message.
 */
export function collectKnownIdentifiers(segments: readonly string[], enc: Hl7Encoding, table: ReadonlyMap<string, readonly FieldRule[]>): KnownIdentifiers {
  return collectKnownIdentifiersFromFields(segments.map((text) => segmentFields(text, enc)), enc, knownIdentifierPlan(table));
}

/** Per segment id, the fields (number and rule, in field order) whose values are known identifiers. */
export type KnownIdentifierPlan = ReadonlyMap<string, readonly { readonly n: number; readonly rule: FieldRule }[]>;

/** The {@link KnownIdentifierPlan} of a Safe Harbor table: computed once, so a message visits only those fields. */
export function knownIdentifierPlan(table: ReadonlyMap<string, readonly FieldRule[]>): KnownIdentifierPlan {
  const plan = new Map<string, { n: number; rule: FieldRule }[]>();
  for (const [id, rules] of table) plan.set(id, rules.flatMap((rule, i) => (COLLECTED.has(rule.kind) ? [{ n: i + 1, rule }] : [])));
  return plan;
}

/** {@link collectKnownIdentifiers} over segments already split by `segmentFields` (not modified). */
export function collectKnownIdentifiersFromFields(segments: readonly (readonly string[])[], enc: Hl7Encoding, plan: KnownIdentifierPlan): KnownIdentifiers {
  const names = new Set<string>();
  const addresses = new Set<string>();
  const identifiers = new Set<string>();
  const phones = new Set<string>();
  const emails = new Set<string>();
  const dates = new Set<string>();
  const plain = (s: string | undefined): string => {
    if (s === undefined || s === '') return '';
    const text = s.includes(enc.escape) ? decodeHl7Text(s, enc).text : s;
    return (text.includes('\uFFFC') ? text.replace(/\uFFFC/gu, ' ') : text).trim();
  };
  // Identifiers shorter than 4 characters (a set id, a check digit) would also erase ordinary numbers from text.
  const addParts = (set: Set<string>, values: readonly (string | undefined)[]): void => {
    const min = set === identifiers || set === phones ? 4 : 2;
    for (const v of values) {
      const p = plain(v);
      if (p.length >= min) set.add(p);
    }
  };
  for (const fields of segments) {
    const wanted = plan.get((fields[0] ?? '').slice(0, 3));
    if (wanted === undefined) continue;
    for (const { n, rule } of wanted) {
      const raw = fields[n];
      if (raw === undefined || raw === '') continue;
      for (const rep of raw.split(enc.repetition)) {
        const comps = rep.split(enc.component);
        const subs = (i: number): string[] => (comps[i] ?? '').split(enc.subcomponent);
        switch (rule.kind) {
          case 'name':
            // A person's name (XPN) in any component (past XPN-6 only values of four or more
            // characters: codes there are shorter), and each word of a part with several.
            comps.forEach((c, i) => {
              if (i > 5 && c.length < 4) return;
              for (const sub of c.split(enc.subcomponent)) {
                const part = plain(sub);
                addParts(names, [part]);
                if (/[\s,;/]/u.test(part)) addParts(names, part.split(/[\s,;/]+/u).filter((w) => !PARTICLES.has(w.toLowerCase())));
              }
            });
            break;
          case 'org':
            addParts(names, comps.slice(0, 6).flatMap((c) => c.split(enc.subcomponent)));
            break;
          case 'prov':
            addParts(names, comps.slice(1, 6).flatMap((c) => c.split(enc.subcomponent)));
            addParts(identifiers, [comps[0]]);
            break;
          case 'addr':
            addParts(addresses, [...subs(0), comps[1], comps[2], comps[4], comps[7], comps[8]]);
            break;
          case 'county':
          case 'place':
            addParts(addresses, [comps[0], comps[1]]);
            break;
          case 'phone':
            // Every component (4+ characters): feeds put numbers and addresses in any of them.
            addParts(phones, comps);
            if ((comps[5] ?? '') !== '' || (comps[6] ?? '') !== '') addParts(phones, [`${plain(comps[5])}${plain(comps[6])}`]);
            addParts(emails, [comps[3]]);
            break;
          case 'pid':
          case 'mrn':
          case 'ssn':
          case 'lic':
          case 'plan':
          case 'acct':
          case 'id':
          case 'dev':
            // Component 1, and any other component holding digits (an id in the wrong place).
            addParts(identifiers, [subs(0)[0], ...comps.slice(1).filter((c) => /\d/.test(c))]);
            break;
          case 'eip':
            addParts(identifiers, [subs(0)[0], subs(1)[0]]);
            break;
          case 'dob': {
            const d = hl7DateToIso(plain(comps[0]));
            if (d !== undefined && d.iso.length === 10) dates.add(d.iso);
            break;
          }
          default:
            break;
        }
      }
    }
  }
  return { names: [...names], addresses: [...addresses], identifiers: [...identifiers], phones: [...phones], emails: [...emails], dates: [...dates] };
}
