import { Option, type Command } from 'commander';
import type { OutputNaming } from '@phiguard/deid';
import { REPORT_NAME_MODES } from './report-names.ts';

// The options `phiguard deid <format>` commands share. Apart from deid-command.ts so that
// registering the commands (and `--help`) loads no de-identification engine (start-up time).

/** The values of `--names` (@phiguard/deid's OUTPUT_NAMINGS, repeated here so that `--help` loads no engine). */
const OUTPUT_NAMINGS = ['pseudonymize', 'keep'] as const satisfies readonly OutputNaming[];

/** Adds the shared options (`--out`, `--names`, `--report-names`, `--profile`, `--key-file`, date-shift window) to a `deid` subcommand. */
export function withDeidOptions(command: Command): Command {
  return command
    .requiredOption('--out <dir>', 'output folder; the input layout is kept below it (resumable: run again to finish)')
    .addOption(
      new Option(
        '--names <mode>',
        'output file and folder names: pseudonymize = keyed tokens (extension kept; FHIR Bulk names like Patient.ndjson and DICOMDIR kept), since names often carry the patient; keep = the input names',
      )
        .choices(OUTPUT_NAMINGS)
        .default('pseudonymize'),
    )
    .addOption(
      new Option(
        '--report-names <mode>',
        'paths in progress and problem lines: input = the input paths; output = the output paths only (pseudonymized by default), for logs that must not carry PHI; auto = input on a terminal, output when piped or logged',
      )
        .choices(REPORT_NAME_MODES)
        .default('auto'),
    )
    .option('--profile <name|file>', 'safe-harbor (default), date-shift, limited-data-set, or a JSON/YAML profile file', 'safe-harbor')
    .option('--key-file <file>', 'de-identification key (32 bytes, mode 0600); default .phiguard/deid.key, created on first use')
    .option('--shift-window <days>', 'largest per-patient date shift in days (default 365)', (v) => Number(v))
    .option('--keep-weekday', 'shift dates by whole weeks so weekdays are kept');
}

/** The linkage vault options of the formats that can write `encrypt` tokens (FHIR, HL7 v2). */
export function withLinkageOptions(command: Command): Command {
  return command
    .option('--linkage-key <keyId>', 'keystore key of the linkage vault, for profiles that use the encrypt method (a key used for nothing else)')
    .option('--keystore-key-file <file>', 'unlock the keystore with a 32-byte key file instead of PHIGUARD_KEYS_PASSPHRASE');
}

/** The values of `--text-engine` ({@link withTextEngineOption}; free-text-engine.ts builds them). */
const FREE_TEXT_ENGINES = ['clinical', 'known'] as const;

/** `--text-engine clinical|known` for the formats with free text (FHIR, HL7 v2). */
export function withTextEngineOption(command: Command): Command {
  return command.addOption(
    new Option(
      '--text-engine <engine>',
      'free text: clinical = dates, phones, SSNs, e-mails, addresses and anyone\'s names in every text, and the record\'s known identifiers; known = the record\'s known identifiers only (not Safe Harbor alone)',
    )
      .choices(FREE_TEXT_ENGINES)
      .default('clinical'),
  );
}
