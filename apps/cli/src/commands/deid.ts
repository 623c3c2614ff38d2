import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { registerDeidDicom } from './deid-dicom-command.ts';
import { registerDeidFhir } from './deid-fhir-command.ts';
import { registerDeidText } from './deid-text-command.ts';
import { registerDeidHl7v2 } from '../deid/hl7v2-command.ts';

/**
 * `phiguard deid`: de-identification. Each format registers its subcommand below, one line each
 * (`deid hl7v2`, `deid fhir`, `deid dicom`, `deid text`); they share the batch runner and the
 * options of `apps/cli/src/deid/deid-command.ts`.
 */
export function registerDeid(program: Command, ctx: CliContext): void {
  const deid = program
    .command('deid')
    .description('De-identify PHI (HIPAA Safe Harbor by default) into an output folder, with a signed manifest')
    .addHelpText(
      'after',
      `
The same patient gets the same pseudonym and date shift in every format, as long as the same key
(.phiguard/deid.key, created on first use) is used.

Examples:
  $ phiguard deid hl7v2 inbox/ --out deid/                    Safe Harbor, keeps the folder layout
  $ phiguard deid hl7v2 a.hl7 --out deid/ --profile date-shift`,
    );
  const formats: readonly ((parent: Command, ctx: CliContext) => void)[] = [
    registerDeidHl7v2,
    registerDeidDicom,
    registerDeidText,
    registerDeidFhir,
  ];
  for (const register of formats) register(deid, ctx);
}
