import { createHmac, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import type { DeidKey } from '../context/patient-context.ts';
import { base32Head } from '../context/base32-head.ts';
import { FHIR_R4_RESOURCE_TYPES } from './fhir-resource-types.ts';

/**
 * How output files are named. `pseudonymize` (the default): every folder and file name that is
 * not known to be generic becomes a keyed token, because export folders and files are often named
 * after the patient (Synthea's `Assunta351_Dickens475_<id>.json`, a PACS export's
 * `SMITH^JOHN_MRN4455667/`), and a name is part of what leaves. `keep`: the input's names, for
 * inputs whose names are known to carry no identifier.
 */
export const OUTPUT_NAMINGS = ['pseudonymize', 'keep'] as const;
export type OutputNaming = (typeof OUTPUT_NAMINGS)[number];

/** Maps input names to output names; pure and deterministic for a key. */
export interface OutputNamer {
  readonly naming: OutputNaming;
  /** A relative POSIX path (`a/b/c.dcm`), each component named by {@link component}. */
  readonly path: (relative: string) => string;
  /** One folder or file name. Also used for the components of DICOMDIR Referenced File IDs. */
  readonly component: (name: string) => string;
}

/** The namer of `--names keep`: every output keeps its input's name. */
export const KEEP_OUTPUT_NAMES: OutputNamer = Object.freeze({ naming: 'keep', path: (relative: string) => relative, component: (name: string) => name });

/** Extensions kept on a pseudonymized name: the file types the formats read, nothing a person chose. */
const KEPT_EXTENSIONS = new Set(['dcm', 'dicom', 'dic', 'ima', 'json', 'ndjson', 'jsonl', 'hl7', 'hl7v2', 'er7', 'msg', 'txt', 'text', 'note', 'xml', 'csv']);

/**
 * A DICOM File ID component (PS3.10 §8.2: up to 8 characters from A-Z, 0-9 and `_`; lower case
 * accepted for media written on case-insensitive file systems). Mapped to an 8-character token of
 * the same syntax, from its upper-case form, so the files a DICOMDIR references and the
 * Referenced File IDs in its records map alike (`dicomdir.ts`).
 */
const FILE_ID_COMPONENT = /^[A-Za-z0-9_]{1,8}$/;
const FILE_ID_TOKEN_CHARS = 8;
/** Any other name: 80 bits, so that distinct names in one folder do not meet (a clash is reported by the batch, never written over). */
const NAME_TOKEN_CHARS = 16;
/** A FHIR Bulk Data file: a resource type, optionally numbered (`Patient.ndjson`, `Observation.000.ndjson`, `2.Condition.ndjson`). */
const BULK_STEM = /^(?:\d{1,6}[._-])?([A-Z][A-Za-z]+)(?:[._-]\d{1,6})?$/;

/**
 * The output namer of a run. A pseudonymized name is the upper-case Crockford base32 of
 * HMAC-SHA-256 under a key derived from the de-identification key (HKDF, RFC 5869, its own
 * label), so the same input name gets the same output name in every run with that key (a batch
 * resumes, and files that shared a folder still do) and is unlinkable without it. Kept as they
 * are: `DICOMDIR` (PS3.10 §8.6) and FHIR resource type file names; a known extension is kept.
 */
export function createOutputNamer(key: DeidKey, naming: OutputNaming = 'pseudonymize'): OutputNamer {
  if (naming === 'keep') return KEEP_OUTPUT_NAMES;
  const subkey = createSecretKey(Buffer.from(hkdfSync('sha256', key.secret, Buffer.alloc(0), 'phiguard/deid/v1/output-name', 32)));
  const cache = new Map<string, string>();
  const component = (name: string): string => {
    let named = cache.get(name);
    if (named === undefined) {
      named = nameComponent(subkey, name);
      if (cache.size >= 100_000) cache.clear();
      cache.set(name, named);
    }
    return named;
  };
  return { naming, component, path: (relative) => relative.split('/').map(component).join('/') };
}

function nameComponent(subkey: KeyObject, name: string): string {
  if (name.toUpperCase() === 'DICOMDIR') return name;
  if (FILE_ID_COMPONENT.test(name)) return token(subkey, `file-id:${name.toUpperCase()}`, FILE_ID_TOKEN_CHARS);
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? name.slice(dot + 1) : '';
  if (!KEPT_EXTENSIONS.has(extension.toLowerCase())) return token(subkey, `name:${name}`, NAME_TOKEN_CHARS);
  const stem = name.slice(0, dot);
  const type = BULK_STEM.exec(stem)?.[1];
  if (type !== undefined && FHIR_R4_RESOURCE_TYPES.has(type)) return name;
  return `${token(subkey, `name:${stem}`, NAME_TOKEN_CHARS)}.${extension}`;
}

function token(subkey: KeyObject, input: string, chars: number): string {
  return base32Head(createHmac('sha256', subkey).update(input, 'utf8').digest(), chars);
}
