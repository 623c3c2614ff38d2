import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { isBaseError } from '@phiguard/core';
import {
  DeidTally, FhirDeidentifier, deidentifyBundleStream, deidentifyNdjsonStream, ndjsonLinesFromChunks, parseFhirJson, parseMsftConfig, registerBundlePatientsStream,
  type BundleStreamOutcome, type FhirDeidMode, type FhirPatientIndex, type FhirRuleConfig, type NdjsonOutcome,
} from '@phiguard/deid';
import type { CliContext } from '../context.ts';
import { BatchError } from '../deid/batch-error.ts';
import type { FileOutcome, FormatProcessor } from '../deid/batch-runner.ts';
import { freeTextEngine } from '../deid/free-text-engine.ts';
import { fileChunks, utf8Pieces, type OutputSink, type StreamOutcome, type StreamedFile } from '../deid/streamed-file.ts';
import { runDeidCommand, type DeidCommandOptions, type DeidSetup } from '../deid/deid-command.ts';
import { deidRemotely } from '../remote/remote-mode.ts';

export interface DeidFhirOptions extends DeidCommandOptions {
  readonly anonymizerConfig?: string;
  readonly patientSystem?: string[];
  readonly textEngine?: string;
}

const FHIR_FILE = /\.(?:json|ndjson|jsonl)$/i;
const NDJSON_FILE = /\.(?:ndjson|jsonl)$/i;
/** Above this size a Bundle is streamed entry by entry instead of parsed whole. */
const STREAM_BYTES = 64 * 2 ** 20;

/** A typed error as a file's problem (its place, never its values); anything else as a bare code. */
function failure(e: unknown, relative: string): { ok: false; problem: { code: string; message: string; place: Record<string, unknown> } } {
  if (isBaseError(e)) return { ok: false, problem: { code: e.code, message: e.message, place: { file: relative, ...e.place } } };
  return { ok: false, problem: { code: 'fhir-processing', message: 'the file could not be de-identified', place: { file: relative } } };
}

/**
 * NDJSON files (any size) and Bundles over {@link STREAM_BYTES}, read chunk by chunk and written
 * line by line / entry by entry: memory stays proportional to the longest line or entry.
 */
function streamFhir(deid: FhirDeidentifier, file: StreamedFile, relative: string, sink: OutputSink): StreamOutcome {
  try {
    if (NDJSON_FILE.test(relative)) {
      const outcome: { value?: Omit<NdjsonOutcome, 'output'> } = {};
      for (const line of deidentifyNdjsonStream(utf8Pieces(file.chunks()), deid, relative, outcome)) sink.write(line);
      const v = outcome.value;
      return { ok: true, records: v?.records ?? 0, tally: v?.tally ?? new DeidTally(), problems: v?.problems ?? [] };
    }
    registerBundlePatientsStream(utf8Pieces(file.chunks()), deid, relative);
    const outcome: { value?: BundleStreamOutcome } = {};
    for (const piece of deidentifyBundleStream(utf8Pieces(file.chunks()), deid, relative, outcome)) sink.write(piece);
    const v = outcome.value;
    return { ok: true, records: v?.records ?? 0, tally: v?.tally ?? new DeidTally(), problems: v?.problems ?? [] };
  } catch (e) {
    return failure(e, relative);
  }
}

/** First pass over a Patient NDJSON file, line by line; bad lines are reported by the second pass. */
function registerPatientFile(deid: FhirDeidentifier, file: string): number {
  let n = 0;
  const name = path.basename(file);
  for (const { line, text } of ndjsonLinesFromChunks(utf8Pieces(fileChunks(file)))) {
    try {
      n += deid.registerPatients(parseFhirJson(text, { file: name, line }));
    } catch {
      // reported when the line is de-identified
    }
  }
  return n;
}

/** Bulk Data first pass (FHIR Bulk Data Access "Output"): the Patient files, so other files find their patients. */
function patientFiles(inputs: readonly string[], cwd: string): string[] {
  const out: string[] = [];
  const visit = (p: string): void => {
    let s;
    try {
      s = statSync(p);
    } catch {
      return;
    }
    if (s.isDirectory()) for (const name of readdirSync(p).sort()) visit(path.join(p, name));
    else if (/^Patient[^/]*\.(?:ndjson|jsonl)$/i.test(path.basename(p))) out.push(p);
  };
  for (const input of inputs) visit(path.resolve(cwd, input));
  return out;
}

/**
 * The FHIR format processor. `index`: the patients it remembers (given by a caller that must bound
 * them, as the server does); by default a new one for this run.
 */
export function fhirProcessor(setup: DeidSetup, config: FhirRuleConfig | undefined, options: DeidFhirOptions, firstPass: readonly string[], ctx: CliContext, index?: FhirPatientIndex): FormatProcessor {
  const mode: FhirDeidMode = config === undefined ? { kind: 'profile', profile: setup.profile, key: setup.key } : { kind: 'msft', config };
  const deid = new FhirDeidentifier(mode, {
    factory: setup.factory, text: freeTextEngine(options.textEngine ?? 'clinical'), patientIdentifierSystems: options.patientSystem ?? [],
    ...(setup.tokenizer === undefined ? {} : { tokenizer: setup.tokenizer }),
    ...(index === undefined ? {} : { index }),
  });
  let registered = 0;
  for (const file of firstPass) registered += registerPatientFile(deid, file);
  if (firstPass.length > 0) ctx.stderr.write(`first pass: ${String(registered)} patients from ${String(firstPass.length)} Patient file(s)\n`);
  return {
    format: 'fhir',
    accepts: (relative) => FHIR_FILE.test(relative),
    stream: {
      accepts: (relative, bytes) => NDJSON_FILE.test(relative) || bytes > STREAM_BYTES,
      process: (file, relative, sink) => streamFhir(deid, file, relative, sink),
    },
    process(input, relative): FileOutcome {
      try {
        const resource = parseFhirJson(Buffer.from(input).toString('utf8').replace(/^\uFEFF/, ''), { file: relative });
        const records = resource.resourceType === 'Bundle' && Array.isArray(resource.entry) ? resource.entry.length : 1;
        const r = deid.deidentify(resource);
        return { ok: true, output: Buffer.from(`${JSON.stringify(r.resource, null, 2)}\n`, 'utf8'), records, tally: r.tally, problems: r.problems };
      } catch (e) {
        return failure(e, relative);
      }
    },
  };
}

/** The local run of `phiguard deid fhir` (or the remote one with `--server`); registered in deid-fhir-command.ts. */
export async function runDeidFhir(parent: Command, ctx: CliContext, inputs: string[], options: DeidFhirOptions, command: Command): Promise<void> {
  if (await deidRemotely(ctx, command, 'fhir', inputs, options)) return;
  let config: FhirRuleConfig | undefined;
  if (options.anonymizerConfig !== undefined) {
    let text: string;
    try {
      text = readFileSync(path.resolve(ctx.cwd, options.anonymizerConfig), 'utf8');
    } catch (cause) {
      throw new BatchError('bad-option', 'the --anonymizer-config file cannot be read', { cause, place: { file: options.anonymizerConfig } });
    }
    config = parseMsftConfig(text);
  }
  const root = parent.parent ?? parent;
  const firstPass = patientFiles(inputs, ctx.cwd);
  await runDeidCommand(ctx, root, inputs, options, (setup) => fhirProcessor(setup, config, options, firstPass, ctx), undefined, true);
}
