import { isBaseError } from '@phiguard/core';
import { DeidTally } from '../manifest/deid-tally.ts';
import { type JsonObject, isJsonObject } from './element-tree.ts';
import type { FhirDeidentifier, FhirProblem } from './fhir-deidentifier.ts';
import { BundleEntryScanner } from './bundle-entry-scanner.ts';
import { parseFhirJson } from './parse-fhir-json.ts';

export interface BundleStreamOutcome {
  readonly records: number;
  readonly tally: DeidTally;
  readonly problems: readonly FhirProblem[];
}

function parseEntry(text: string, file: string, index: number): JsonObject {
  // An entry is not a resource: wrap it so the parser checks it the same way.
  const bundle = parseFhirJson(`{"resourceType":"Bundle","entry":[${text}]}`, { file, index, path: `Bundle.entry[${String(index)}]` });
  const entry = Array.isArray(bundle.entry) ? (bundle.entry[0] as unknown) : undefined;
  return isJsonObject(entry) ? entry : {};
}

/** First pass over a big Bundle: registers the Patient entries (with their fullUrl). */
export function registerBundlePatientsStream(chunks: Iterable<string>, deid: FhirDeidentifier, file: string): number {
  const scanner = new BundleEntryScanner();
  let n = 0;
  for (const chunk of chunks) {
    for (const piece of scanner.push(chunk)) {
      if (piece.kind !== 'entry' || !piece.text.includes('"Patient"')) continue;
      try {
        n += deid.registerPatients({ resourceType: 'Bundle', entry: [parseEntry(piece.text, file, piece.index)] });
      } catch {
        // reported in the second pass
      }
    }
  }
  return n;
}

function labelsOf(resource: JsonObject): unknown[] {
  const meta = resource.meta;
  return isJsonObject(meta) && Array.isArray(meta.security) ? meta.security : [];
}

/** A path inside the one-entry wrapper Bundle, as a path inside the streamed Bundle (entry `index`). */
function entryPath(path: string | undefined, index: number): { path?: string } {
  if (path === undefined) return {};
  return { path: path.startsWith(WRAPPED_ENTRY) ? `Bundle.entry[${String(index)}]${path.slice(WRAPPED_ENTRY.length)}` : path };
}

const WRAPPED_ENTRY = 'Bundle.entry[0]';

/**
 * De-identifies a Bundle given as text chunks, entry by entry (memory ∝ the largest entry): yields
 * the output text. Entries are processed as one-entry Bundles, so Bundle rules on `entry` apply;
 * the Bundle's own elements come after `entry` in the output (JSON objects are unordered).
 * A malformed entry is reported with its index and left out; the others go on.
 */
export function* deidentifyBundleStream(
  chunks: Iterable<string>, deid: FhirDeidentifier, file: string, outcome: { value?: BundleStreamOutcome },
): Generator<string> {
  const scanner = new BundleEntryScanner();
  const tally = new DeidTally();
  const problems: FhirProblem[] = [];
  const labels = new Map<string, unknown>();
  let records = 0;
  let first = true;
  yield '{"resourceType":"Bundle","entry":[';
  for (const chunk of chunks) {
    for (const piece of scanner.push(chunk)) {
      if (piece.kind !== 'entry') continue;
      records++;
      try {
        const wrapper: JsonObject = { resourceType: 'Bundle', entry: [parseEntry(piece.text, file, piece.index)] };
        const result = deid.deidentify(wrapper);
        tally.merge(result.tally);
        for (const p of result.problems) problems.push({ ...p, place: { ...p.place, ...entryPath(p.place.path, piece.index), file, index: piece.index } });
        for (const l of labelsOf(wrapper)) if (isJsonObject(l)) labels.set(String(l.code), l);
        const entry = Array.isArray(wrapper.entry) ? (wrapper.entry[0] as unknown) : undefined;
        if (entry === undefined) continue;
        yield `${first ? '' : ','}${JSON.stringify(entry)}`;
        first = false;
      } catch (e) {
        if (isBaseError(e)) problems.push({ code: e.code, message: e.message, place: { file, index: piece.index, ...e.place } });
        else problems.push({ code: 'fhir-processing', message: 'the entry could not be de-identified', place: { file, index: piece.index } });
      }
    }
  }
  const shell = parseFhirJson(scanner.end().text, { file, path: 'Bundle' });
  Reflect.deleteProperty(shell, 'entry');
  const result = deid.deidentify(shell);
  tally.merge(result.tally);
  problems.push(...result.problems);
  const meta: JsonObject = isJsonObject(shell.meta) ? shell.meta : {};
  const own = labelsOf(shell);
  for (const l of own) if (isJsonObject(l)) labels.delete(String(l.code));
  if (labels.size > 0) {
    meta.security = [...own, ...labels.values()];
    shell.meta = meta;
  }
  let rest = '';
  for (const [k, v] of Object.entries(shell)) if (k !== 'resourceType') rest += `,${JSON.stringify(k)}:${JSON.stringify(v)}`;
  yield `]${rest}}`;
  outcome.value = { records, tally, problems };
}
