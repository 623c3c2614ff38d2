import type { KnownIdentifiers } from '../text/text-deidentifier.ts';
import type { Hl7Encoding } from './hl7-encoding.ts';
import { decodeHl7Text } from './hl7-escape.ts';
import { hl7DateToIso } from './hl7-date.ts';
import { isHeader } from './hl7-structure.ts';
import type { FieldRule } from './hl7-safe-harbor-table.ts';

const COLLECTED = new Set(['name', 'org', 'prov', 'addr', 'county', 'place', 'phone', 'pid', 'mrn', 'ssn', 'lic', 'plan', 'acct', 'id', 'eip', 'dev', 'dob']);

/** Per segment id, the fields (number and rule, in field order) whose values are known identifiers. */
export type KnownIdentifierPlan = ReadonlyMap<string, readonly { readonly n: number; readonly rule: FieldRule }[]>;

/** The {@link KnownIdentifierPlan} of a Safe Harbor table: computed once, so a message visits only those fields. */
export function knownIdentifierPlan(table: ReadonlyMap<string, readonly FieldRule[]>): KnownIdentifierPlan {
  const plan = new Map<string, { n: number; rule: FieldRule }[]>();
  for (const [id, rules] of table) {
    const wanted = rules.flatMap((rule, i) => (COLLECTED.has(rule.kind) ? [{ n: i + 1, rule }] : []));
    if (wanted.length > 0) plan.set(id, wanted);
  }
  return plan;
}

/** The sets one message's identifiers are gathered in (insertion order is kept: it is the text engine's order). */
interface Gathered {
  readonly enc: Hl7Encoding;
  readonly names: Set<string>;
  readonly addresses: Set<string>;
  readonly identifiers: Set<string>;
  readonly phones: Set<string>;
  readonly emails: Set<string>;
  readonly dates: Set<string>;
}

/**
 * Collects, from one message's segments (their text), the identifiers that free text (OBX-5,
 * NTE-3, ...) must not repeat: names (each part), street and city, ZIP, phones and e-mails,
 * identifiers, dates of birth. Only the fields the plan names are visited. PHI: lives only in
 * memory for the message.
 */
export function collectKnownIdentifiers(segments: readonly string[], enc: Hl7Encoding, plan: KnownIdentifierPlan): KnownIdentifiers {
  const g: Gathered = { enc, names: new Set(), addresses: new Set(), identifiers: new Set(), phones: new Set(), emails: new Set(), dates: new Set() };
  for (const text of segments) {
    const wanted = plan.get(text.slice(0, 3));
    if (wanted === undefined) continue;
    // Field n is part n of the split (n - 1 for headers: MSH-1 is the separator itself).
    const parts = text.split(enc.field);
    const shift = isHeader(text.slice(0, 3)) ? 1 : 0;
    for (let i = 0; i < wanted.length; i++) {
      const w = wanted[i] as { readonly n: number; readonly rule: FieldRule };
      const raw = parts[w.n - shift];
      if (raw === undefined) break;
      if (raw !== '') gatherField(g, raw, w.rule);
    }
  }
  return { names: [...g.names], addresses: [...g.addresses], identifiers: [...g.identifiers], phones: [...g.phones], emails: [...g.emails], dates: [...g.dates] };
}

/** XAD components (0-based) collected besides the street's subcomponents: other designation, city, ZIP, ... */
const ADDRESS_PARTS = [1, 2, 4, 7, 8];

function gatherField(g: Gathered, raw: string, rule: FieldRule): void {
  const { enc } = g;
  const reps = raw.includes(enc.repetition) ? raw.split(enc.repetition) : [raw];
  for (const rep of reps) {
    const comps = rep.includes(enc.component) ? rep.split(enc.component) : [rep];
    switch (rule.kind) {
      case 'name':
      case 'org':
        for (let i = 0; i < 6 && i < comps.length; i++) addSubs(g, g.names, comps[i]);
        break;
      case 'prov':
        for (let i = 1; i < 6 && i < comps.length; i++) addSubs(g, g.names, comps[i]);
        add(g, g.identifiers, comps[0]);
        break;
      case 'addr':
        addSubs(g, g.addresses, comps[0]);
        for (const i of ADDRESS_PARTS) add(g, g.addresses, comps[i]);
        break;
      case 'county':
      case 'place':
        add(g, g.addresses, comps[0]);
        add(g, g.addresses, comps[1]);
        break;
      case 'phone':
        // Every component (4+ characters): feeds put numbers and addresses in any of them.
        for (const c of comps) add(g, g.phones, c);
        if ((comps[5] ?? '') !== '' || (comps[6] ?? '') !== '') add(g, g.phones, `${plain(g, comps[5])}${plain(g, comps[6])}`);
        add(g, g.emails, comps[3]);
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
        add(g, g.identifiers, firstSub(g, comps[0]));
        for (let i = 1; i < comps.length; i++) if (/\d/.test(comps[i] ?? '')) add(g, g.identifiers, comps[i]);
        break;
      case 'eip':
        add(g, g.identifiers, firstSub(g, comps[0]));
        add(g, g.identifiers, firstSub(g, comps[1]));
        break;
      case 'dob': {
        const d = hl7DateToIso(plain(g, comps[0]));
        if (d !== undefined && d.iso.length === 10) g.dates.add(d.iso);
        break;
      }
      default:
        break;
    }
  }
}

function firstSub(g: Gathered, comp: string | undefined): string {
  if (comp === undefined) return '';
  const i = comp.indexOf(g.enc.subcomponent);
  return i < 0 ? comp : comp.slice(0, i);
}

function addSubs(g: Gathered, set: Set<string>, comp: string | undefined): void {
  if (comp === undefined) return;
  if (!comp.includes(g.enc.subcomponent)) add(g, set, comp);
  else for (const sub of comp.split(g.enc.subcomponent)) add(g, set, sub);
}

/** Identifiers shorter than 4 characters (a set id, a check digit) would also erase ordinary numbers from text. */
function add(g: Gathered, set: Set<string>, value: string | undefined): void {
  const p = plain(g, value);
  if (p.length >= (set === g.identifiers || set === g.phones ? 4 : 2)) set.add(p);
}

function plain(g: Gathered, s: string | undefined): string {
  if (s === undefined || s === '') return '';
  const text = s.includes(g.enc.escape) ? decodeHl7Text(s, g.enc).text : s;
  return (text.includes('\uFFFC') ? text.replace(/\uFFFC/gu, ' ') : text).trim();
}

/** The known identifiers of a message, lower-cased, to catch one sitting in a field the table keeps. */
export function knownValueSet(known: KnownIdentifiers): Set<string> {
  const out = new Set<string>();
  for (const list of [known.names, known.identifiers, known.phones, known.emails, known.addresses]) {
    for (const v of list ?? []) out.add(v.toLowerCase());
  }
  return out;
}
