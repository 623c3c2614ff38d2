import { Option, type Command } from 'commander';
import type { CliContext } from '../context.ts';
import type { DeidCommandOptions } from './deid-command.ts';
import { deidRemotely } from '../remote/remote-mode.ts';
import { withDeidOptions, withLinkageOptions, withTextEngineOption } from './deid-options.ts';

interface Hl7Options extends DeidCommandOptions {
  readonly idField?: 'PID-3' | 'PID-2' | 'PID-4' | 'PID-19';
  readonly idType?: string[];
  readonly idAuthority?: string;
  readonly idSystem?: string;
  readonly textEngine?: string;
}

/** `phiguard deid hl7v2 INPUT... --out DIR`: HL7 v2 files and folders through the batch runner. */
export function registerDeidHl7v2(parent: Command, ctx: CliContext): void {
  const command = parent
    .command('hl7v2')
    .description('De-identify HL7 v2 messages (files or folders; MLLP-framed and batch files too)')
    .argument('<input...>', 'HL7 v2 files or folders (folders: *.hl7, *.hl7v2, *.msg, *.txt, *.er7, recursively)')
    .addOption(new Option('--id-field <field>', 'where the patient identity is read (PID-19 = the SSN field)').choices(['PID-3', 'PID-2', 'PID-4', 'PID-19']).default('PID-3'))
    .option('--id-type <code...>', 'PID-3 identifier type codes (CX-5) that identify the patient, in order (default MR MRN PI PT)')
    .option('--id-authority <name>', 'only PID-3 identifiers from this assigning authority (CX-4.1 or CX-4.2)')
    .option('--id-system <system>', 'identity system to use for the resolved identifier (the same string in every format links them)');
  withTextEngineOption(withLinkageOptions(withDeidOptions(command))).addHelpText(
    'after',
    `
Examples:
  $ phiguard deid hl7v2 inbox/ --out deid/
  $ phiguard deid hl7v2 adt.hl7 labs/ --out deid/ --profile date-shift --id-type MR --id-system urn:oid:1.2.3.4
  $ phiguard deid hl7v2 feed/ --out deid/ --profile my-profile.yaml --key-file /secure/deid.key`,
  );
  command.action(async (inputs: string[], options: Hl7Options) => {
    if (await deidRemotely(ctx, command, 'hl7v2', inputs, options)) return;
    const identity = {
      ...(options.idField === undefined ? {} : { field: options.idField }),
      ...(options.idType === undefined ? {} : { identifierTypes: options.idType.map((t) => t.toUpperCase()) }),
      ...(options.idAuthority === undefined ? {} : { assigningAuthority: options.idAuthority }),
      ...(options.idSystem === undefined ? {} : { system: options.idSystem }),
    };
    const referenceDate = new Date().toISOString().slice(0, 10);
    // The engine and the ledger load when the command runs, not when the program is built.
    const [{ runDeidCommand }, { hl7v2Processor }, { freeTextEngine }] = await Promise.all([import('./deid-command.ts'), import('./hl7v2-processor.ts'), import('./free-text-engine.ts')]);
    const text = freeTextEngine(options.textEngine ?? 'clinical');
    await runDeidCommand(ctx, parent.parent ?? parent, inputs, options, (setup) => hl7v2Processor(setup, { identity, referenceDate, text }), undefined, true);
  });
}
