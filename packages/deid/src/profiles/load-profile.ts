import { createHash } from 'node:crypto';
import { canonicalJsonBytes, deepFreeze } from '@phiguard/core';
import { parse as parseYaml } from 'yaml';
import { SAFE_HARBOR_CATEGORIES } from '../safe-harbor/categories.ts';
import { DeidError } from '../context/deid-error.ts';
import { BUILTIN_PROFILES } from './builtin-profiles.ts';
import { DEID_METHOD_KINDS, type DeidMethod, type DeidProfile, type LoadedProfile, type ProfileRule } from './deid-profile.ts';

const ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const KIND_KEY = new RegExp(`^(?:(?:${SAFE_HARBOR_CATEGORIES.join('|')})(?:\\.[a-z][a-z0-9-]{0,31})?|text|safe)$`);
const HL7_TARGET = /^[A-Z][A-Z0-9]{2}-(?:\*|[1-9]\d{0,2}(?:\.[1-9]\d{0,2}){0,2})$/;
const DICOM_TAG = /^(?:\([0-9A-Fa-f]{4},[0-9A-Fa-fxX]{4}\)|[A-Za-z][A-Za-z0-9]{0,63})$/;
const BASES = new Set(['safe-harbor', 'expert-determination', 'limited-data-set', 'custom']);
const PROFILE_FIELDS = new Set(['id', 'version', 'description', 'basis', 'extends', 'kinds', 'rules', 'unknown', 'over89', 'restrictedZip3']);

/** A built-in profile (`safe-harbor`, `date-shift`, `limited-data-set`) with its hash. */
export function builtinProfile(id: string): LoadedProfile {
  const profile = BUILTIN_PROFILES[id];
  if (profile === undefined) {
    throw new DeidError('invalid-profile', 'no built-in profile of that name', { hint: `use one of ${Object.keys(BUILTIN_PROFILES).join(', ')} or a JSON/YAML file` });
  }
  return finish(profile);
}

/**
 * Parses and validates a custom profile written in JSON or YAML (docs/deid/profiles.md). With
 * `extends: <built-in id>` it starts from that profile and overrides `kinds` one by one and adds
 * `rules`. Errors are {@link DeidError} `invalid-profile` naming the JSON path (and `source`).
 */
export function parseProfile(text: string, source = 'profile'): LoadedProfile {
  let raw: unknown;
  try {
    raw = parseYaml(text, { uniqueKeys: true, maxAliasCount: 100 });
  } catch (error) {
    throw new DeidError('invalid-profile', 'the profile is not valid JSON or YAML', { cause: error, place: { file: source } });
  }
  return validateProfile(raw, source);
}

/** Validates a profile value (already parsed) and returns it frozen with its hash. */
export function validateProfile(raw: unknown, source = 'profile'): LoadedProfile {
  const fail = (path: string, what: string): never => {
    throw new DeidError('invalid-profile', `profile ${path} ${what}`, { place: { file: source, path } });
  };
  if (!isRecord(raw)) return fail('$', 'must be an object');
  for (const key of Object.keys(raw)) if (!PROFILE_FIELDS.has(key)) fail(`$.${key}`, 'is not a profile field');
  let base: DeidProfile | undefined;
  if (raw.extends !== undefined) {
    base = typeof raw.extends === 'string' ? BUILTIN_PROFILES[raw.extends] : undefined;
    if (base === undefined) fail('$.extends', `must name a built-in profile (${Object.keys(BUILTIN_PROFILES).join(', ')})`);
  }
  const id = raw.id;
  if (typeof id !== 'string' || !ID.test(id)) return fail('$.id', 'must be 1-64 of a-z, 0-9 and -');
  const version = raw.version;
  if (typeof version !== 'string' || version === '' || version.length > 32) return fail('$.version', 'must be a string of 1-32 characters');
  const description = raw.description ?? base?.description ?? '';
  if (typeof description !== 'string') return fail('$.description', 'must be a string');
  const basis = raw.basis ?? (base === undefined ? undefined : 'custom');
  if (typeof basis !== 'string' || !BASES.has(basis)) return fail('$.basis', 'must be safe-harbor, expert-determination, limited-data-set or custom');

  const kinds: Record<string, DeidMethod> = { ...(base?.kinds ?? {}) };
  if (raw.kinds !== undefined || base === undefined) {
    if (!isRecord(raw.kinds)) return fail('$.kinds', 'must be an object of value kinds to methods');
    for (const [key, value] of Object.entries(raw.kinds)) {
      if (!KIND_KEY.test(key)) fail(`$.kinds.${key}`, 'is not a Safe Harbor category (optionally .part), text or safe');
      kinds[key] = validateMethod(value, `$.kinds.${key}`, fail);
    }
  }
  for (const category of SAFE_HARBOR_CATEGORIES) if (kinds[category] === undefined) fail(`$.kinds.${category}`, 'is missing: every Safe Harbor category needs a method');
  if (!('text' in kinds)) kinds.text = { kind: 'text' };
  if (!('safe' in kinds)) kinds.safe = { kind: 'keep' };

  const rules: ProfileRule[] = [...(base?.rules ?? [])];
  if (raw.rules !== undefined) {
    if (!Array.isArray(raw.rules)) return fail('$.rules', 'must be an array');
    (raw.rules as unknown[]).forEach((rule, i) => rules.push(validateRule(rule, `$.rules[${String(i)}]`, fail)));
  }
  const unknown = raw.unknown ?? base?.unknown ?? 'remove';
  if (unknown !== 'remove' && unknown !== 'keep') return fail('$.unknown', 'must be remove or keep');
  const over89 = raw.over89 ?? base?.over89 ?? 'remove-birth-date';
  if (over89 !== 'remove-birth-date' && over89 !== 'aggregate-birth-year' && over89 !== 'keep') return fail('$.over89', 'must be remove-birth-date, aggregate-birth-year or keep');
  const profile: DeidProfile = { id, version, description, basis: basis as DeidProfile['basis'], kinds, rules, unknown, over89 };
  const zips = raw.restrictedZip3 ?? base?.restrictedZip3;
  if (zips !== undefined) {
    if (!Array.isArray(zips) || !zips.every((z) => typeof z === 'string' && /^\d{3}$/.test(z))) return fail('$.restrictedZip3', 'must be an array of three-digit strings');
    return finish({ ...profile, restrictedZip3: zips as string[] });
  }
  return finish(profile);
}

function validateMethod(value: unknown, path: string, fail: (path: string, what: string) => never): DeidMethod {
  if (!isRecord(value) || typeof value.kind !== 'string' || !(DEID_METHOD_KINDS as readonly string[]).includes(value.kind)) {
    return fail(`${path}.kind`, `must be one of ${DEID_METHOD_KINDS.join(', ')}`);
  }
  const allowed: Record<string, readonly string[]> = { substitute: ['value'], generalize: ['to', 'length'], perturb: ['range', 'roundTo'], cryptoHash: ['length'] };
  for (const key of Object.keys(value)) if (key !== 'kind' && !(allowed[value.kind] ?? []).includes(key)) fail(`${path}.${key}`, `is not an option of ${value.kind}`);
  const positive = (v: unknown, p: string, max: number): number | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > max) return fail(p, `must be a positive number up to ${String(max)}`);
    return v;
  };
  switch (value.kind) {
    case 'substitute':
      if (typeof value.value !== 'string' || value.value.length > 256) return fail(`${path}.value`, 'must be a string of at most 256 characters');
      return { kind: 'substitute', value: value.value };
    case 'generalize': {
      const to = value.to;
      if (to !== 'year' && to !== 'zip3' && to !== 'age90' && to !== 'prefix') return fail(`${path}.to`, 'must be year, zip3, age90 or prefix');
      const length = positive(value.length, `${path}.length`, 64);
      if (to === 'prefix' && length === undefined) return fail(`${path}.length`, 'is required for a prefix');
      return length === undefined ? { kind: 'generalize', to } : { kind: 'generalize', to, length: Math.floor(length) };
    }
    case 'perturb': {
      const range = positive(value.range, `${path}.range`, 1e9);
      if (range === undefined) return fail(`${path}.range`, 'is required');
      const roundTo = positive(value.roundTo, `${path}.roundTo`, 1e9);
      return roundTo === undefined ? { kind: 'perturb', range } : { kind: 'perturb', range, roundTo };
    }
    case 'cryptoHash': {
      const length = positive(value.length, `${path}.length`, 64);
      return length === undefined ? { kind: 'cryptoHash' } : { kind: 'cryptoHash', length: Math.floor(length) };
    }
    default:
      return { kind: value.kind as 'keep' };
  }
}

function validateRule(rule: unknown, path: string, fail: (path: string, what: string) => never): ProfileRule {
  if (!isRecord(rule)) return fail(path, 'must be an object');
  for (const key of Object.keys(rule)) if (!['id', 'target', 'category', 'method'].includes(key)) fail(`${path}.${key}`, 'is not a rule field');
  const target = rule.target;
  if (!isRecord(target) || Object.keys(target).length === 0) return fail(`${path}.target`, 'must name hl7, fhirPath or dicomTag');
  for (const key of Object.keys(target)) if (!['hl7', 'fhirPath', 'dicomTag'].includes(key)) fail(`${path}.target.${key}`, 'is not hl7, fhirPath or dicomTag');
  if (target.hl7 !== undefined && (typeof target.hl7 !== 'string' || !HL7_TARGET.test(target.hl7))) fail(`${path}.target.hl7`, 'must look like PID-5, PID-11.5 or ZPI-*');
  if (target.fhirPath !== undefined && (typeof target.fhirPath !== 'string' || target.fhirPath.trim() === '')) fail(`${path}.target.fhirPath`, 'must be a FHIRPath expression');
  if (target.dicomTag !== undefined && (typeof target.dicomTag !== 'string' || !DICOM_TAG.test(target.dicomTag))) fail(`${path}.target.dicomTag`, 'must be (gggg,eeee) or a keyword');
  if (rule.category !== undefined && !(SAFE_HARBOR_CATEGORIES as readonly unknown[]).includes(rule.category)) fail(`${path}.category`, 'must be a Safe Harbor category');
  if (rule.id !== undefined && (typeof rule.id !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/.test(rule.id))) fail(`${path}.id`, 'must be a short id');
  const method = validateMethod(rule.method, `${path}.method`, fail);
  const out: { -readonly [K in keyof ProfileRule]: ProfileRule[K] } = { target: target, method };
  if (typeof rule.id === 'string') out.id = rule.id;
  if (rule.category !== undefined) out.category = rule.category as NonNullable<ProfileRule['category']>;
  return out;
}

function finish(profile: DeidProfile): LoadedProfile {
  const copy = structuredClone<DeidProfile>(profile);
  const hash = `sha256:${createHash('sha256').update(canonicalJsonBytes(copy)).digest('hex')}`;
  return deepFreeze({ profile: copy, hash });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
