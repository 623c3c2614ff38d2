import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { withDeidOptions, withLinkageOptions, withTextEngineOption } from '../deid/deid-options.ts';
import type { DeidFhirOptions } from './deid-fhir.ts';

// Registration only: the engine, the ledger and the remote client load when the command runs (start-up time).

/** `phiguard deid fhir INPUT... --out DIR [--profile P | --anonymizer-config MSFT_CONFIG.json]`. */
export function registerDeidFhir(parent: Command, ctx: CliContext): void {
  withTextEngineOption(withLinkageOptions(withDeidOptions(
    parent
      .command('fhir')
      .description('De-identify FHIR R4 resources, Bundles and Bulk Data NDJSON (FHIRPath rules; Microsoft anonymizer configs accepted)')
      .argument('<inputs...>', 'FHIR JSON / NDJSON files or folders (searched recursively for .json, .ndjson, .jsonl)')
      .option('--anonymizer-config <file>', 'a Microsoft FHIR Tools for Anonymization configuration (fhirPathRules, parameters) instead of --profile')
      .option('--patient-system <uri...>', 'Patient.identifier systems that identify a patient across formats (e.g. the MRN system)'),
  )))
    .addHelpText(
      'after',
      `
Bulk exports: Patient*.ndjson files among the inputs are read first, so every other file finds its patient.

Examples:
  $ phiguard deid fhir export/ --out deid/                                  Safe Harbor, Bulk NDJSON or Bundles
  $ phiguard deid fhir bundle.json --out out/ --profile date-shift --patient-system http://hospital.smarthealthit.org
  $ phiguard deid fhir data/ --out out/ --anonymizer-config msft.json  a Microsoft anonymizer configuration`,
    )
    .action(async (inputs: string[], options: DeidFhirOptions, command: Command) => {
      const { runDeidFhir } = await import('./deid-fhir.ts');
      await runDeidFhir(parent, ctx, inputs, options, command);
    });
}
