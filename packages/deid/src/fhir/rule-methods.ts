import { createCipheriv, createHmac, randomBytes, randomInt } from 'node:crypto';
import fhirpath from 'fhirpath';
import type { PatientContext } from '../context/patient-context.ts';
import { type ElementNode, type JsonObject, isJsonObject, nodeValue, setNodeValue, subtree } from './element-tree.ts';
import { addDays, indicatesAgeOver89, msftDateShiftDays, parseFhirDate, zeroTime } from './fhir-dates.ts';
import { FhirDeidError } from './fhir-deid-error.ts';
import { FHIR_NUMBER_TYPES, R4_MODEL, isResourceType } from './fhir-model.ts';
import type { CompiledRule } from './fhir-rule.ts';

/** What a method did, for `meta.security` (HL7 v3 ObservationValue) and the manifest. */
export const FHIR_OPERATIONS = ['redact', 'abstract', 'cryptoHash', 'encrypt', 'perturb', 'substitute', 'generalize', 'pseudonymize', 'text'] as const;
export type FhirOperation = (typeof FHIR_OPERATIONS)[number];

/** The Microsoft tool's `parameters`, and ours. */
export interface FhirRuleParameters {
  readonly dateShiftKey: string;
  /** Overrides the per-resource prefix (the root resource id) of the Microsoft date shift. */
  readonly dateShiftKeyPrefix?: string;
  readonly cryptoHashKey: string;
  readonly encryptKey: string;
  readonly enablePartialAgesForRedact: boolean;
  readonly enablePartialDatesForRedact: boolean;
  readonly enablePartialZipCodesForRedact: boolean;
  readonly restrictedZipCodeTabulationAreas: readonly string[];
  /** `patient`: `dateShift` uses the patient context's shift (ours); `key`: the Microsoft derivation. */
  readonly dateShiftSource: 'key' | 'patient';
}

/** Hooks for our methods, supplied by the de-identifier that knows the patient and references. */
export interface FhirMethodHooks {
  pseudonymize(node: ElementNode, value: string): string | null;
  text(node: ElementNode, value: string): string | null;
  /** A profile's method for the value kind; returns the new value (null: removed) and what was done. */
  kind(node: ElementNode, value: string, kind: string, method: unknown): { readonly value: string | number | null; readonly op: FhirOperation | undefined };
}

export interface MethodContext {
  readonly params: FhirRuleParameters;
  /** Id of the outermost resource (the Microsoft date-shift prefix). */
  readonly rootId: string;
  readonly patient: PatientContext | undefined;
  readonly now: Date;
  readonly visited: Set<string>;
  readonly record: (op: FhirOperation, node: ElementNode) => void;
  readonly hooks: FhirMethodHooks;
  /** Keys of nodes a `substitute` replaced, so the tree is rebuilt before the next rule. */
  readonly substituted: string[];
}

const QUANTITY_TYPES = new Set(['Quantity', 'Age', 'Count', 'Distance', 'Duration', 'SimpleQuantity', 'MoneyQuantity']);
const INTEGERS = new Set(['integer', 'positiveInt', 'unsignedInt']);

function scalar(node: ElementNode): string | undefined {
  if (!node.primitive) return undefined;
  const v = nodeValue(node);
  if (v === null || v === undefined) return undefined;
  const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
  return s === '' ? undefined : s;
}

function isDateType(t: string): boolean {
  return t === 'date' || t === 'dateTime' || t === 'instant';
}

function redactDate(node: ElementNode, value: string, ctx: MethodContext): void {
  const parts = parseFhirDate(value);
  if (ctx.params.enablePartialDatesForRedact && parts !== undefined) setNodeValue(node, indicatesAgeOver89(parts, ctx.now) ? null : parts.year);
  else setNodeValue(node, null);
  ctx.record('redact', node);
}

/** `redact` (RedactProcessor): dates to the year, ages over 89 and ZIPs to 3 digits when partial redaction is on. */
function redact(node: ElementNode, ctx: MethodContext): void {
  const value = scalar(node);
  if (value === undefined) return;
  if (isDateType(node.type)) {
    redactDate(node, value, ctx);
    return;
  }
  if (node.type === 'decimal' && node.parent?.type === 'Age') {
    if (!ctx.params.enablePartialAgesForRedact || Number(value) > 89) setNodeValue(node, null);
    ctx.record('redact', node);
    return;
  }
  if (node.name === 'postalCode') {
    if (ctx.params.enablePartialZipCodesForRedact) {
      // 45 CFR §164.514(b)(2)(i)(B): the initial three digits, 000 where the ZIP3 area has <= 20,000 people.
      const restricted = ctx.params.restrictedZipCodeTabulationAreas.some((z) => value.startsWith(z));
      setNodeValue(node, restricted ? value.replace(/\d/g, '0') : value.length >= 3 ? value.slice(0, 3) + value.slice(3).replace(/\d/g, '0') : value);
      ctx.record('abstract', node);
    } else {
      setNodeValue(node, null);
      ctx.record('redact', node);
    }
    return;
  }
  setNodeValue(node, null);
  ctx.record('redact', node);
}

function dateShift(node: ElementNode, ctx: MethodContext): void {
  const value = scalar(node);
  if (value === undefined || !isDateType(node.type)) return;
  const parts = parseFhirDate(value);
  if (parts?.month === undefined || parts.day === undefined || indicatesAgeOver89(parts, ctx.now)) {
    redactDate(node, value, ctx);
    return;
  }
  if (ctx.params.dateShiftSource === 'patient') {
    if (ctx.patient === undefined) {
      redactDate(node, value, ctx);
      return;
    }
    setNodeValue(node, ctx.patient.shiftIsoDate(value));
  } else {
    const fixed = /^fixedOffset:(-?\d+)$/.exec(ctx.params.dateShiftKey);
    const days = fixed?.[1] !== undefined ? Number(fixed[1]) : msftDateShiftDays(ctx.params.dateShiftKeyPrefix ?? ctx.rootId, ctx.params.dateShiftKey);
    const date = addDays(parts.year, parts.month, parts.day, days);
    setNodeValue(node, parts.time === undefined ? date : date + zeroTime(parts.time));
  }
  ctx.record('perturb', node);
}

// FHIR R4 §2.3.0.1 literal references: [base/]Type/id[/_history/v], urn:oid:, urn:uuid:, #local.
const LITERAL_REF = /^((?:https?:\/\/[A-Za-z0-9\\/.:%$]*)?([A-Z][A-Za-z]+)\/)([A-Za-z0-9\-.]{1,64})(\/_history\/[A-Za-z0-9\-.]{1,64})?$/;
const OID_REF = /^(urn:oid:)([0-2](?:\.(?:0|[1-9][0-9]*))+)()$/;
const UUID_REF = /^(urn:uuid:)([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})()$/;

/** Applies `transform` to the id part of a reference (ReferenceUtility.TransformReferenceId). */
export function transformReferenceId(reference: string, transform: (id: string) => string): string {
  if (reference.startsWith('#')) return `#${transform(reference.slice(1))}`;
  const lit = LITERAL_REF.exec(reference);
  if (lit?.[1] !== undefined && lit[2] !== undefined && lit[3] !== undefined && isResourceType(lit[2])) {
    return `${lit[1]}${transform(lit[3])}${lit[4] ?? ''}`;
  }
  const other = OID_REF.exec(reference) ?? UUID_REF.exec(reference);
  if (other?.[1] !== undefined && other[2] !== undefined) return `${other[1]}${transform(other[2])}`;
  return transform(reference);
}

function cryptoHash(node: ElementNode, ctx: MethodContext): void {
  const value = scalar(node);
  if (value === undefined) return;
  const hash = (s: string): string => createHmac('sha256', ctx.params.cryptoHashKey).update(s, 'utf8').digest('hex');
  setNodeValue(node, node.name === 'reference' && node.parent?.type === 'Reference' ? transformReferenceId(value, hash) : hash(value));
  ctx.record('cryptoHash', node);
}

function encrypt(node: ElementNode, ctx: MethodContext): void {
  const value = scalar(node);
  if (value === undefined) return;
  const key = Buffer.from(ctx.params.encryptKey, 'utf8');
  if (![16, 24, 32].includes(key.length)) throw new FhirDeidError('fhir-bad-config', 'encryptKey must be 16, 24 or 32 bytes');
  const iv = randomBytes(16);
  const cipher = createCipheriv(`aes-${String(key.length * 8)}-cbc`, key, iv);
  setNodeValue(node, Buffer.concat([iv, cipher.update(value, 'utf8'), cipher.final()]).toString('base64'));
  ctx.record('encrypt', node);
}

function perturb(node: ElementNode, rule: CompiledRule, ctx: MethodContext): void {
  const target = FHIR_NUMBER_TYPES.has(node.type) ? node : QUANTITY_TYPES.has(node.type) ? node.children.find((c) => c.name === 'value') : undefined;
  if (target === undefined || ctx.visited.has(target.key)) return;
  const value = scalar(target);
  if (value === undefined) return;
  const s = rule.rule.settings ?? {};
  const span = typeof s.span === 'number' ? s.span : Number(s.span ?? 0);
  const roundTo = INTEGERS.has(target.type) ? 0 : typeof s.roundTo === 'number' ? s.roundTo : 2;
  const origin = Number(value);
  const width = s.rangeType === 'proportional' ? origin * span : span;
  const noise = (randomInt(0, 2 ** 47) / 2 ** 47 - 0.5) * width;
  let out = Number((origin + noise).toFixed(roundTo));
  if (target.type === 'positiveInt' && out <= 0) out = 1;
  if (target.type === 'unsignedInt' && out < 0) out = 0;
  setNodeValue(target, out);
  for (const d of subtree(node)) ctx.visited.add(d.key);
  ctx.record('perturb', node);
}

function evaluateOn(node: ElementNode, expression: string, resource: JsonObject, memo: CompiledRule['memo']): unknown[] {
  const parent = node.parent;
  if (parent?.childPath === undefined) return [];
  const data = parent.key === '' ? resource : nodeValue(parent);
  const step = `${node.name}${node.index === undefined ? '' : `[${String(node.index)}]`}`;
  const key = `${parent.childPath}\0${step}\0${expression}`;
  let fn = memo.get(key);
  if (fn === undefined) {
    const compiled = fhirpath.compile({ base: parent.childPath, expression: `${step}.select(${expression})` }, R4_MODEL, { async: false });
    fn = (d: unknown) => compiled(d) as unknown[];
    if (memo.size > 10_000) memo.clear();
    memo.set(key, fn);
  }
  return fn(data);
}

function generalize(node: ElementNode, rule: CompiledRule, ctx: MethodContext, resource: JsonObject): void {
  if (!node.primitive) {
    throw new FhirDeidError('fhir-rule-not-applicable', 'generalize applies only to primitive elements', { place: { path: node.key } });
  }
  if (scalar(node) === undefined) return;
  const s = rule.rule.settings ?? {};
  const cases = isJsonObject(s.cases) ? s.cases : {};
  for (const [predicate, replacement] of Object.entries(cases)) {
    let hit: unknown[];
    try {
      hit = evaluateOn(node, predicate, resource, rule.memo);
      if (hit[0] !== true) continue;
      const out = evaluateOn(node, String(replacement), resource, rule.memo)[0];
      setNodeValue(node, typeof out === 'string' || typeof out === 'number' || typeof out === 'boolean' ? out : null);
    } catch (cause) {
      throw new FhirDeidError('fhir-processing', 'a generalize case failed', { cause, place: { path: node.key } });
    }
    ctx.record('generalize', node);
    return;
  }
  if (s.otherValues !== 'keep') setNodeValue(node, null);
  ctx.record('generalize', node);
}

function kindMethod(node: ElementNode, rule: CompiledRule, ctx: MethodContext): void {
  const value = scalar(node);
  const kind = rule.rule.settings?.kind;
  if (value === undefined || typeof kind !== 'string') return;
  const out = ctx.hooks.kind(node, value, kind, rule.rule.settings?.method);
  if (out.op === undefined) return;
  setNodeValue(node, out.value);
  ctx.record(out.op, node);
}

function ourMethod(node: ElementNode, ctx: MethodContext, which: 'pseudonymize' | 'text'): void {
  const value = scalar(node);
  if (value === undefined || typeof nodeValue(node) !== 'string') return;
  const out = which === 'pseudonymize' ? ctx.hooks.pseudonymize(node, value) : ctx.hooks.text(node, value);
  if (out === value) return;
  setNodeValue(node, out);
  ctx.record(which, node);
}

/** Applies a rule's method to one node (the rule engine walks the matched subtree). */
export function applyMethod(node: ElementNode, rule: CompiledRule, ctx: MethodContext, resource: JsonObject): void {
  switch (rule.rule.method) {
    case 'keep':
      return;
    case 'redact':
      redact(node, ctx);
      return;
    case 'dateShift':
      dateShift(node, ctx);
      return;
    case 'cryptoHash':
      cryptoHash(node, ctx);
      return;
    case 'encrypt':
      encrypt(node, ctx);
      return;
    case 'perturb':
      perturb(node, rule, ctx);
      return;
    case 'generalize':
      generalize(node, rule, ctx, resource);
      return;
    case 'kind':
      kindMethod(node, rule, ctx);
      return;
    case 'pseudonymize':
    case 'text':
      ourMethod(node, ctx, rule.rule.method);
      return;
    case 'substitute':
      throw new TypeError('substitute is applied by the rule engine');
  }
}
