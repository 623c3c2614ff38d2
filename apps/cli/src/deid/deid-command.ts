import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { openLedger, type AuditRecorder } from '@phiguard/audit';
import { systemClock } from '@phiguard/core';
import {
  builtinProfile,
  createOutputNamer,
  createPatientContextFactory,
  parseProfile,
  type DeidKey,
  type LinkageTokenizer,
  type LoadedProfile,
  type OutputNamer,
  type OutputNaming,
  type PatientContextFactory,
} from '@phiguard/deid';
import type { CliContext } from '../context.ts';
import { BatchError } from './batch-error.ts';
import { printBatchReport } from './batch-report.ts';
import { runDeidBatch, type BatchSummary, type FormatProcessor } from './batch-runner.ts';
import { loadOrCreateDeidKey, loadOrCreateManifestSigner } from './deid-keys.ts';
import { openLinkage, type LinkageOptions, type OpenLinkage } from './linkage-access.ts';
import { resolveReportNames, type ReportNameMode } from './report-names.ts';

export { withDeidOptions } from './deid-options.ts';

/** The options every `phiguard deid <format>` command shares. */
export interface DeidCommandOptions extends LinkageOptions {
  readonly out: string;
  /** `pseudonymize` when not given (the option's default). */
  readonly names?: OutputNaming;
  /** `auto` when not given (the option's default). */
  readonly reportNames?: ReportNameMode;
  readonly profile: string;
  readonly keyFile?: string;
  readonly shiftWindow?: number;
  readonly keepWeekday?: boolean;
}

/** What a format needs to build its processor. */
export interface DeidSetup {
  readonly key: DeidKey;
  readonly factory: PatientContextFactory;
  readonly profile: LoadedProfile;
  /** Output names; DICOM also renames DICOMDIR Referenced File IDs with it. */
  readonly namer: OutputNamer;
  /** The linkage vault, when the profile uses the `encrypt` method (formats that support it). */
  readonly tokenizer?: LinkageTokenizer;
}

/** Loads a profile by built-in name, or from a JSON/YAML file (the CLI does the I/O; deid stays pure). */
export function resolveProfile(nameOrFile: string, cwd: string): LoadedProfile {
  if (/^[a-z-]+$/.test(nameOrFile) && !nameOrFile.includes('.')) return builtinProfile(nameOrFile);
  const file = path.resolve(cwd, nameOrFile);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new BatchError('bad-option', 'the profile file cannot be read', { cause, place: { file: nameOrFile } });
  }
  return parseProfile(text, nameOrFile);
}

/**
 * Runs one `phiguard deid <format>` command: keys, profile, patient contexts, then the batch runner
 * with the format's processor; prints the summary and sets a failing exit code when files failed.
 */
export async function runDeidCommand(
  ctx: CliContext,
  program: Command,
  inputs: readonly string[],
  options: DeidCommandOptions,
  makeProcessor: (setup: DeidSetup) => FormatProcessor,
  recorder?: AuditRecorder,
  /** The format passes `setup.tokenizer` to its methods (FHIR, HL7 v2): `encrypt` profiles allowed. */
  linkage = false,
): Promise<BatchSummary> {
  if (inputs.length === 0) throw new BatchError('no-inputs', 'no input files or folders given');
  const globals = program.opts<{ config?: string }>();
  const config = ctx.config(globals.config);
  const home = config.home;
  const profile = resolveProfile(options.profile, ctx.cwd);
  const window = options.shiftWindow;
  if (window !== undefined && (!Number.isInteger(window) || window < 7 || window > 3650)) {
    throw new BatchError('bad-option', '--shift-window must be a whole number of days from 7 to 3650');
  }
  const usesVault = Object.values(profile.profile.kinds).some((m) => m.kind === 'encrypt') || profile.profile.rules.some((r) => r.method.kind === 'encrypt');
  if (usesVault && !linkage) {
    throw new BatchError('bad-option', 'the profile encrypts values into the linkage vault, which this command cannot reach yet', { hint: 'use cryptoHash or pseudonym instead of encrypt' });
  }
  if (usesVault && options.linkageKey === undefined) {
    throw new BatchError('bad-option', 'the profile encrypts values into the linkage vault, but no vault key was named', {
      place: { field: '--linkage-key' },
      hint: 'pass --linkage-key KEY_ID (a keystore key used only for linkage; see phiguard keys create)',
    });
  }
  const keyFile = options.keyFile === undefined ? path.join(home, 'deid.key') : path.resolve(ctx.cwd, options.keyFile);
  const { key, created } = loadOrCreateDeidKey(keyFile, options.keyFile === undefined);
  if (created) ctx.stderr.write(`created a new de-identification key at ${keyFile} (keep it safe: it links pseudonyms across runs)\n`);
  const signer = loadOrCreateManifestSigner(path.join(home, 'deid-manifest-signing.pem'));
  const namer = createOutputNamer(key, options.names ?? 'pseudonymize');
  const reportNames = resolveReportNames(options.reportNames, ctx);
  const factory = createPatientContextFactory(key, {
    ...(options.shiftWindow === undefined ? {} : { dateShiftWindowDays: options.shiftWindow }),
    ...(options.keepWeekday === true ? { preserveWeekday: true } : {}),
  });
  // The run is recorded in the audit ledger (HIPAA §164.312(b)): the configured one unless given.
  const ledger = recorder === undefined ? await openLedger({ config, clock: systemClock }) : undefined;
  const audit: AuditRecorder | undefined = recorder ?? ledger;
  if (audit === undefined) throw new TypeError('no audit recorder');
  let summary: BatchSummary;
  let vault: OpenLinkage | undefined;
  try {
    vault = usesVault ? await openLinkage(config, ctx, options, audit) : undefined;
    const tokenizer = vault?.vault;
    summary = await runDeidBatch({
      inputs,
      outDir: options.out,
      cwd: ctx.cwd,
      processor: makeProcessor({ key, factory, profile, namer, ...(tokenizer === undefined ? {} : { tokenizer }) }),
      namer,
      reportNames,
      profile: { id: profile.profile.id, version: profile.profile.version, hash: profile.hash },
      keyId: key.id,
      signer,
      clock: systemClock,
      stdout: ctx.stdout,
      stderr: ctx.stderr,
      recorder: audit,
      // Tokens are sealed into the vault before their file counts as done (docs/vault.md: flush before release).
      ...(tokenizer === undefined ? {} : { afterFile: () => tokenizer.flush() }),
    });
  } finally {
    await vault?.close();
    await ledger?.close();
  }
  printBatchReport(summary, ctx, reportNames);
  if (summary.failed.length > 0 || summary.recordProblems.length > 0) process.exitCode = 1;
  return summary;
}
