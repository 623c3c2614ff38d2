import type { Place } from '@phiguard/core';
import { isBaseError } from '@phiguard/core';
import { DeidTally } from '../manifest/deid-tally.ts';
import type { JsonObject } from './element-tree.ts';
import type { FhirDeidentifier, FhirProblem } from './fhir-deidentifier.ts';
import { parseFhirJson } from './parse-fhir-json.ts';

/** One line of an NDJSON text (FHIR Bulk Data §"Output format": one resource per line), 1-based. */
export interface NdjsonLine {
  readonly line: number;
  readonly text: string;
}

/** The non-blank lines of an NDJSON text, without splitting the whole text at once. */
export function* ndjsonLines(text: string): Generator<NdjsonLine> {
  let start = 0;
  let line = 1;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const raw = text.slice(start, end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end);
    if (raw.trim() !== '') yield { line, text: raw };
    start = end + 1;
    line++;
  }
}

/** Serializes resources as NDJSON: one compact JSON per line, `\n` after each. */
export function toNdjson(resources: Iterable<JsonObject>): string {
  let out = '';
  for (const r of resources) out += `${JSON.stringify(r)}\n`;
  return out;
}

export interface NdjsonOutcome {
  readonly output: string;
  readonly records: number;
  readonly tally: DeidTally;
  /** Failed lines (place has `line`), and record-level problems; the other lines were processed. */
  readonly problems: readonly FhirProblem[];
}

/** First pass over a Patient NDJSON file: registers its patients; bad lines are left for the second pass to report. */
export function registerNdjsonPatients(text: string, deid: FhirDeidentifier, file: string): number {
  let n = 0;
  for (const { line, text: t } of ndjsonLines(text)) {
    try {
      n += deid.registerPatients(parseFhirJson(t, { file, line }));
    } catch {
      // reported when the line is de-identified
    }
  }
  return n;
}

/**
 * De-identifies an NDJSON text line by line: a line that fails (bad JSON, not a resource, a rule
 * error) is listed with its file and line and the rest go on; nothing is dropped silently.
 */
export function deidentifyNdjson(text: string, deid: FhirDeidentifier, file: string): NdjsonOutcome {
  const tally = new DeidTally();
  const problems: FhirProblem[] = [];
  const out: string[] = [];
  let records = 0;
  for (const { line, text: t } of ndjsonLines(text)) {
    records++;
    const place: Place = { file, line };
    try {
      // Counted straight into the file's tally. A line that throws adds nothing: counts are
      // added only when a resource is done (fhir-deidentifier.ts).
      const result = deid.deidentify(parseFhirJson(t, place), tally);
      for (const p of result.problems) problems.push({ ...p, place: { ...place, ...p.place } });
      out.push(JSON.stringify(result.resource));
    } catch (e) {
      // Unexpected errors too: their messages are not shown, they may quote data.
      if (isBaseError(e)) problems.push({ code: e.code, message: e.message, place: { ...place, ...e.place } });
      else problems.push({ code: 'fhir-processing', message: 'the record could not be de-identified', place });
    }
  }
  return { output: out.length === 0 ? '' : `${out.join('\n')}\n`, records, tally, problems };
}

/** Splits text chunks into lines without holding more than one line plus one chunk. */
export function* ndjsonLinesFromChunks(chunks: Iterable<string>): Generator<NdjsonLine> {
  let rest = '';
  let line = 1;
  for (const chunk of chunks) {
    rest += chunk;
    // Lines are cut by offset; the unfinished tail is kept once per chunk (not once per line).
    let start = 0;
    let nl = rest.indexOf('\n');
    while (nl >= 0) {
      const raw = rest.slice(start, nl > start && rest.charCodeAt(nl - 1) === 13 ? nl - 1 : nl);
      if (raw.trim() !== '') yield { line, text: raw };
      start = nl + 1;
      line++;
      nl = rest.indexOf('\n', start);
    }
    rest = rest.slice(start);
  }
  if (rest.trim() !== '') yield { line, text: rest.endsWith('\r') ? rest.slice(0, -1) : rest };
}

/**
 * {@link deidentifyNdjson} for a file of any size: text chunks in (e.g. a file stream's), output
 * lines out (each ends with `\n`), in memory proportional to the longest line. Counts and problems
 * are in `outcome.value` when the generator is done.
 */
export function* deidentifyNdjsonStream(
  chunks: Iterable<string>, deid: FhirDeidentifier, file: string, outcome: { value?: Omit<NdjsonOutcome, 'output'> },
): Generator<string> {
  const tally = new DeidTally();
  const problems: FhirProblem[] = [];
  let records = 0;
  for (const { line, text } of ndjsonLinesFromChunks(chunks)) {
    records++;
    const r = deidentifyNdjson(text, deid, file);
    tally.merge(r.tally);
    for (const p of r.problems) problems.push({ ...p, place: { ...p.place, line } });
    if (r.output !== '') yield r.output;
  }
  outcome.value = { records, tally, problems };
}
