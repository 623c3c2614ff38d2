import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { DeidTally, createClinicalTextDeidentifier, loadDictionaries, writeBrat, type PatientIdentity, type ReplacementMode } from '@phiguard/deid';
import type { CliContext } from '../context.ts';
import { BatchError } from '../deid/batch-error.ts';
import type { FileOutcome, FormatProcessor } from '../deid/batch-runner.ts';
import { runDeidCommand, withDeidOptions, type DeidCommandOptions, type DeidSetup } from '../deid/deid-command.ts';

interface DeidTextOptions extends DeidCommandOptions {
  readonly spans?: boolean;
  readonly surrogates?: boolean;
  readonly tags?: boolean;
  readonly patient?: string;
}

const TEXT_FILE = /\.(?:txt|text|note)$/i;

/** `--patient system|value`: the identity every input belongs to (consistent surrogates across formats). */
function parsePatient(value: string | undefined): PatientIdentity | undefined {
  if (value === undefined) return undefined;
  const bar = value.indexOf('|');
  if (bar <= 0 || bar === value.length - 1) throw new BatchError('bad-option', '--patient must be SYSTEM|VALUE', { place: { field: '--patient' } });
  return { system: value.slice(0, bar), value: value.slice(bar + 1) };
}

/**
 * The text processor for the shared batch runner: de-identifies each note with the clinical text
 * engine; with `--spans`, keeps the spans (BRAT standoff) to write `.ann` beside each output.
 */
function textProcessor(setup: DeidSetup, mode: ReplacementMode, patient: PatientIdentity | undefined, annotations: Map<string, string> | undefined): FormatProcessor {
  const engine = createClinicalTextDeidentifier({ mode, dictionaries: loadDictionaries() });
  return {
    format: 'text',
    accepts: (relative) => TEXT_FILE.test(relative),
    process(input, relative): FileOutcome {
      const text = Buffer.from(input).toString('utf8');
      // Without --patient, each file is its own patient: surrogates are consistent within the file.
      const context = setup.factory.forPatient(patient ?? { system: 'urn:phiguard:text-file', value: relative });
      const result = engine.deidentify({ text, patient: context });
      const tally = new DeidTally();
      for (const s of result.spans) tally.add(s.category, `text.${s.detector}`);
      annotations?.set(relative, writeBrat(text, result.spans));
      return { ok: true, output: Buffer.from(result.text, 'utf8'), records: 1, tally, problems: [] };
    },
  };
}

/** `phiguard deid text FILE|DIR --out DIR [--spans] [--surrogates|--tags]`. */
export function registerDeidText(parent: Command, ctx: CliContext): void {
  withDeidOptions(
    parent
      .command('text')
      .description('De-identify clinical free text (.txt): names, dates, ids, contacts, places (all 18 Safe Harbor categories)')
      .argument('<inputs...>', 'text files or folders (searched recursively for .txt, .text, .note)')
      .option('--spans', 'also write the detected spans as BRAT standoff (.ann beside each output, contains PHI offsets and text)')
      .option('--surrogates', 'replace with realistic surrogates, consistent per patient (names, shifted dates, same-shape ids)')
      .option('--tags', 'replace with category tags such as [NAME] and [DATE] (default)')
      .option('--patient <system|value>', 'the patient all inputs belong to, for the same pseudonyms and date shift as other formats'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ phiguard deid text notes/ --out deid-notes/                     tags, keeps the folder layout
  $ phiguard deid text note.txt --out out/ --surrogates --spans      surrogates plus out/note.ann for review
  $ phiguard deid text notes/ --out out/ --surrogates --patient 'urn:oid:2.16.840.1.113883.19|12345'`,
    )
    .action(async (inputs: string[], options: DeidTextOptions) => {
      if (options.surrogates === true && options.tags === true) throw new BatchError('bad-option', 'choose one of --surrogates and --tags', { place: { field: '--surrogates' } });
      const mode: ReplacementMode = options.surrogates === true ? 'surrogates' : 'tags';
      const annotations = options.spans === true ? new Map<string, string>() : undefined;
      const patient = parsePatient(options.patient);
      const root = parent.parent ?? parent;
      const summary = await runDeidCommand(ctx, root, inputs, options, (setup) => textProcessor(setup, mode, patient, annotations));
      if (annotations === undefined) return;
      const outDir = path.resolve(ctx.cwd, options.out);
      for (const [relative, ann] of annotations) {
        const output = path.join(outDir, ...relative.split('/'));
        // `note.txt` → `note.ann`; a named file without a text extension gets `.ann` appended.
        const target = TEXT_FILE.test(output) ? output.replace(TEXT_FILE, '.ann') : `${output}.ann`;
        mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
        writeFileSync(target, ann, { mode: 0o600 });
      }
      ctx.stdout.write(`spans: ${String(annotations.size)} .ann file(s) written beside the outputs (${String(summary.resumed)} resumed file(s) keep theirs)\n`);
    });
}
