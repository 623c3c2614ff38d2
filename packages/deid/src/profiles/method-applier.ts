import type { KeyObject } from 'node:crypto';
import type { DeidKey, PatientContext } from '../context/patient-context.ts';
import { DeidError } from '../context/deid-error.ts';
import { deriveHmacKey, hmac } from '../context/deid-key.ts';
import { generalizeAge } from '../safe-harbor/age.ts';
import { generalizeZip, HHS_RESTRICTED_ZIP3_2000 } from '../safe-harbor/zip3.ts';
import type { KnownIdentifiers, TextDeidentifier, TextSpan } from '../text/text-deidentifier.ts';
import type { DeidMethod, LoadedProfile, ValueKind } from './deid-profile.ts';
import type { LinkageTokenizer } from './linkage-tokenizer.ts';

/** What a method may need about the value beyond the value itself. */
export interface MethodContext {
  readonly kind: ValueKind;
  readonly patient?: PatientContext | undefined;
  /** For `pseudonym`: `patient` gives the patient's pseudonym, anything else `pseudonymFor(idKind, value)`. */
  readonly idKind?: string;
  /** For `text`: identifiers already known from the structured data. */
  readonly known?: KnownIdentifiers | undefined;
}

export interface MethodApplierOptions {
  readonly text: TextDeidentifier;
  readonly tokenizer?: LinkageTokenizer;
}

/** The result of a method: the new value, or `undefined` when the value is removed. */
export type MethodResult = string | undefined;

/**
 * Applies a profile's methods to values, format-neutrally: formats find values and say what kind
 * they are; dates come in and go out as ISO 8601 (formats convert their own forms). Keyed methods
 * use purpose-bound subkeys of the de-identification key.
 */
export class MethodApplier {
  readonly profile: LoadedProfile;
  readonly #hashKey: KeyObject;
  readonly #options: MethodApplierOptions;
  readonly #restricted: readonly string[];
  readonly #byKind = new Map<string, DeidMethod>();
  /** Spans found by the text method since the last {@link takeTextSpans}. */
  #spans: TextSpan[] = [];

  constructor(profile: LoadedProfile, key: DeidKey, options: MethodApplierOptions) {
    this.profile = profile;
    this.#hashKey = deriveHmacKey(key.secret, 'crypto-hash');
    this.#options = options;
    this.#restricted = profile.profile.restrictedZip3 ?? HHS_RESTRICTED_ZIP3_2000;
  }

  /** The engine of the `text` method (a format may skip it where it provably changes nothing: hl7v2/hl7-text-prefilter.ts). */
  get textDeidentifier(): TextDeidentifier {
    return this.#options.text;
  }

  /** The profile's method for a value kind: the most specific key first (`geographic.zip`, then `geographic`). */
  methodFor(kind: ValueKind): DeidMethod {
    const known = this.#byKind.get(kind);
    if (known !== undefined) return known;
    const kinds = this.profile.profile.kinds;
    const dot = kind.indexOf('.');
    const method = kinds[kind] ?? (dot < 0 ? undefined : kinds[kind.slice(0, dot)]) ?? { kind: 'redact' };
    this.#byKind.set(kind, method);
    return method;
  }

  apply(method: DeidMethod, value: string, ctx: MethodContext): MethodResult {
    switch (method.kind) {
      case 'keep':
        return value;
      case 'redact':
        return undefined;
      case 'substitute':
        return method.value;
      case 'dateShift':
        // Without a patient there is no shift to apply: fall back to the Safe Harbor year.
        return ctx.patient === undefined ? year(value) : safeShift(ctx.patient, value);
      case 'pseudonym':
        if (value.trim() === '') return undefined;
        if (ctx.idKind === 'patient') return ctx.patient?.pseudonym;
        return ctx.patient?.pseudonymFor(ctx.idKind ?? ctx.kind, value) ?? this.#hash(`pseudonym:${ctx.idKind ?? ctx.kind}`, value, 26);
      case 'cryptoHash':
        return this.#hash(ctx.kind, value, method.length ?? 64);
      case 'encrypt':
        if (this.#options.tokenizer === undefined) throw new DeidError('no-tokenizer', 'the profile encrypts values but no linkage vault is configured');
        return this.#options.tokenizer.tokenize(ctx.kind, value);
      case 'generalize':
        return this.#generalize(method, value);
      case 'perturb':
        return this.#perturb(method, value, ctx);
      case 'text': {
        const result = this.#options.text.deidentify({ text: value, ...(ctx.patient === undefined ? {} : { patient: ctx.patient }), ...(ctx.known === undefined ? {} : { known: ctx.known }) });
        this.#spans.push(...result.spans);
        return result.text;
      }
    }
  }

  /** Spans reported by the text method since the last call (for manifest counts). */
  takeTextSpans(): TextSpan[] {
    const spans = this.#spans;
    this.#spans = [];
    return spans;
  }

  #generalize(method: Extract<DeidMethod, { kind: 'generalize' }>, value: string): MethodResult {
    switch (method.to) {
      case 'year':
        return year(value);
      case 'zip3':
        return generalizeZip(value, this.#restricted);
      case 'age90':
        return generalizeAge(value);
      case 'prefix':
        return value.slice(0, method.length ?? 0);
    }
  }

  #perturb(method: Extract<DeidMethod, { kind: 'perturb' }>, value: string, ctx: MethodContext): MethodResult {
    const n = Number(value.trim());
    if (value.trim() === '' || !Number.isFinite(n)) return undefined;
    const fraction = hmac(this.#hashKey, 'perturb', ctx.kind, value).readUInt32BE(0) / 2 ** 32;
    const noisy = n + (2 * fraction - 1) * method.range;
    const step = method.roundTo ?? 1;
    return String(Math.round(noisy / step) * step);
  }

  #hash(kind: string, value: string, length: number): string {
    return hmac(this.#hashKey, kind, value).toString('hex').slice(0, length);
  }
}

function year(value: string): MethodResult {
  return /^\d{4}/.exec(value)?.[0];
}

function safeShift(patient: PatientContext, value: string): MethodResult {
  try {
    return patient.shiftIsoDate(value);
  } catch {
    return undefined; // not a date we can shift: remove rather than leak it
  }
}
