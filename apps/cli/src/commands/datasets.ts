import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { openLedger } from '@phiguard/audit';
import { systemClock, type PhiguardConfig } from '@phiguard/core';
import { openKeyManager, type KeystoreUnlock } from '@phiguard/keys';
import {
  Datasets,
  FsBlobStore,
  loadOrCreateManifestSigner,
  openVaultDatabase,
  SqlDatasetStore,
  VaultError,
  type NewFile,
  type ProgressListener,
} from '@phiguard/vault';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { actingPrincipal, keystoreFile, keystoreUnlock } from '../keys/keystore-access.ts';
import { lazyRemote, localOrRemote } from '../remote/remote-mode.ts';
import { writeVerifiedFile } from './write-verified-file.ts';

interface Common {
  as?: string;
  keyFile?: string;
}

const MiB = 2 ** 20;
const PROGRESS_MIN_BYTES = 16 * MiB;

/**
 * `phiguard datasets …`: sealed, versioned datasets (docs/vault.md). Blobs under `<home>/blobs`,
 * metadata in `<home>/vault-db` (PGlite) or the configured PostgreSQL, KEKs in the local
 * keystore, manifests signed with `<home>/vault/manifest-signer.pem`, every step in the ledger.
 */
export function registerDatasets(program: Command, ctx: CliContext): void {
  const config = (): PhiguardConfig => ctx.config(program.opts<{ config?: string }>().config);
  const say = (line: string): void => {
    ctx.stdout.write(`${line}\n`);
  };
  const remote = lazyRemote(async () => (await import('../remote/remote-datasets.ts')).remoteDatasets(ctx));
  const unlockFrom = (options: Common): KeystoreUnlock => keystoreUnlock(options.keyFile, ctx);
  const actorOf = (options: Common): string =>
    actingPrincipal(
      options.as,
      ctx,
      () => new VaultError('invalid-argument', 'who is acting is not known', { hint: 'pass --as usr_… (or set PHIGUARD_PRINCIPAL)' }),
    );

  /** Wires ledger, keystore, metadata store, blob store and signer; runs `work`; closes all. */
  async function withDatasets<T>(options: Common, work: (datasets: Datasets) => Promise<T>): Promise<T> {
    const cfg = config();
    const ledger = await openLedger({ config: cfg, clock: systemClock });
    try {
      const manager = await openKeyManager({
        file: keystoreFile(cfg.home),
        unlock: unlockFrom(options),
        audit: ledger,
        clock: systemClock,
      });
      try {
        const driver = await openVaultDatabase(
          cfg.database.kind === 'pglite'
            ? { kind: 'pglite', dataDir: path.join(cfg.home, 'vault-db') }
            : { kind: 'postgres', url: cfg.database.url },
        );
        const store = new SqlDatasetStore(driver);
        try {
          const { signer, verifier } = await loadOrCreateManifestSigner(path.join(cfg.home, 'vault', 'manifest-signer.pem'));
          const blobs = await FsBlobStore.open(path.join(cfg.home, 'blobs'), systemClock);
          const datasets = new Datasets({
            store,
            blobs,
            providers: [manager.provider],
            signer,
            verifiers: [verifier],
            audit: ledger,
            clock: systemClock,
          });
          await datasets.reconcile();
          return await work(datasets);
        } finally {
          await store.close();
        }
      } finally {
        manager.close();
      }
    } finally {
      await ledger.close();
    }
  }

  const datasets = program
    .command('datasets')
    .description('Sealed, versioned datasets with retention and legal hold')
    .addHelpText(
      'after',
      `
Secrets: the keystore opens with PHIGUARD_KEYS_PASSPHRASE or --key-file FILE (see phiguard keys --help).
Examples:
  $ phiguard datasets create chest-ct --key dataset-key --retain-days 2190 --as usr_01…
  $ phiguard datasets add chest-ct scans/ --as usr_01…
  $ phiguard datasets get chest-ct --out restored/ --as usr_01…`,
    );
  const withCommon = (command: Command): Command =>
    command
      .option('--as <principal>', 'your principal id (usr_…); default $PHIGUARD_PRINCIPAL')
      .option('--key-file <file>', 'unlock the keystore with a 32-byte key file instead of the passphrase');

  withCommon(datasets.command('create <name>'))
    .description('Create a dataset (name: a lower-case code, never PHI) sealed under a key of the keystore')
    .requiredOption('--key <keyId>', 'key-encryption key for its blobs')
    .option('--retain-until <date>', 'nothing may be deleted before this date (YYYY-MM-DD); only extends')
    .option('--retain-days <n>', 'retention as a number of days from now', (v) => Number(v))
    .addHelpText('after', '\nExample:\n  $ phiguard datasets create chest-ct --key dataset-key --retain-days 2190 --as usr_01…')
    .action(localOrRemote(ctx, async (name: string, options: Common & { key: string; retainUntil?: string; retainDays?: number }) => {
      const retainUntilMs = retention(options.retainUntil, options.retainDays);
      await withDatasets(options, async (ds) => {
        const record = await ds.create({
          actor: actorOf(options),
          name,
          keyId: options.key,
          ...(retainUntilMs === undefined ? {} : { retainUntilMs }),
        });
        say(`created ${record.name} (${record.id})${record.retainUntilMs === null ? '' : `, retained until ${iso(record.retainUntilMs)}`}`);
      });
    }, remote.create));

  withCommon(datasets.command('add <dataset> <paths...>'))
    .description('Add files or folders as a new immutable version (the previous files are kept unless --replace)')
    .option('--replace', 'the new version holds only these files')
    .option('--deid-manifest <hash>', 'sha256:… of the de-identification manifest that produced the files')
    .option('--base <dir>', 'names inside the dataset are relative to this folder (default: each argument)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ phiguard datasets add chest-ct scans/ --as usr_01…\n  $ phiguard datasets add notes notes.ndjson --replace --deid-manifest sha256:… --as usr_01…',
    )
    .action(localOrRemote(ctx, async (dataset: string, paths: string[], options: Common & { replace?: boolean; deidManifest?: string; base?: string }) => {
      const files = await collectFiles(ctx.cwd, paths, options.base);
      const total = files.reduce((n, f) => n + f.size, 0);
      await withDatasets(options, async (ds) => {
        const progress = startProgress(ctx, 'sealing', total, files.length);
        try {
          const record = await ds.addVersion(dataset, {
            actor: actorOf(options),
            files: files.map((f): NewFile => ({
              name: f.name,
              open: () => createReadStream(f.path, { highWaterMark: MiB }) as AsyncIterable<Buffer>,
            })),
            ...(options.replace === true ? { replace: true } : {}),
            ...(options.deidManifest === undefined ? {} : { deidManifest: options.deidManifest }),
            onProgress: progress.listener,
          });
          progress.stop();
          say(
            `version ${String(record.version)} of ${dataset}: ${String(files.length)} files added, manifest ${record.manifestHash}, ledger entry ${String(record.ledgerIndex)}`,
          );
        } finally {
          progress.stop();
        }
      });
    }, remote.add));

  withCommon(datasets.command('list'))
    .description('List datasets')
    .addHelpText('after', '\nExample:\n  $ phiguard datasets list')
    .action(localOrRemote(ctx, async (options: Common) => {
      await withDatasets(options, async (ds) => {
        say('name                            id                               key              retained until            hold');
        for (const d of await ds.list())
          say(
            `${d.name.padEnd(32)}${d.id.padEnd(33)}${d.keyId.padEnd(17)}${(d.retainUntilMs === null ? '-' : iso(d.retainUntilMs)).padEnd(26)}${d.legalHold ? 'ON' : '-'}`,
          );
      });
    }, remote.list));

  withCommon(datasets.command('show <dataset>'))
    .description('Show a dataset and the files of a version (default: newest)')
    .option('-n, --number <n>', 'version number', (v) => Number(v))
    .addHelpText('after', '\nExample:\n  $ phiguard datasets show chest-ct --number 2 --as usr_01…')
    .action(localOrRemote(ctx, async (dataset: string, options: Common & { number?: number }) => {
      await withDatasets(options, async (ds) => {
        const d = await ds.dataset(dataset);
        say(`${d.name} (${d.id}) key ${d.keyProvider}/${d.keyId}; created ${iso(d.createdMs)} by ${d.createdBy}`);
        say(`retention: ${d.retainUntilMs === null ? 'none' : `until ${iso(d.retainUntilMs)}`}; legal hold: ${d.legalHold ? 'ON' : 'off'}`);
        if ((await ds.versions(dataset)).length === 0) {
          say('no versions yet');
          return;
        }
        const opened = await ds.open(actorOf(options), dataset, options.number);
        say(`version ${String(opened.record.version)}, manifest ${opened.record.manifestHash}, signed by ${opened.record.signerKeyId}`);
        for (const f of opened.files) say(`  ${String(f.size).padStart(12)}  ${f.name}`);
      });
    }, remote.show));

  withCommon(datasets.command('versions <dataset>'))
    .description('List the versions of a dataset')
    .addHelpText('after', '\nExample:\n  $ phiguard datasets versions chest-ct')
    .action(localOrRemote(ctx, async (dataset: string, options: Common) => {
      await withDatasets(options, async (ds) => {
        say('version  created                   blobs  ledger  manifest');
        for (const v of await ds.versions(dataset))
          say(
            `${String(v.version).padStart(7)}  ${iso(v.createdMs).padEnd(24)}  ${String(v.blobs.length).padStart(5)}  ${String(v.ledgerIndex ?? '-').padStart(6)}  ${v.manifestHash}`,
          );
      });
    }, remote.versions));

  withCommon(datasets.command('get <dataset>'))
    .description('Unseal the files of a version into a folder (each file appears only once it fully verified)')
    .requiredOption('-o, --out <dir>', 'output folder')
    .option('-n, --number <n>', 'version number (default: newest)', (v) => Number(v))
    .addHelpText('after', '\nExample:\n  $ phiguard datasets get chest-ct --out restored/ --as usr_01…')
    .action(localOrRemote(ctx, async (dataset: string, options: Common & { out: string; number?: number }) => {
      await withDatasets(options, async (ds) => {
        const opened = await ds.open(actorOf(options), dataset, options.number);
        const outDir = path.resolve(ctx.cwd, options.out);
        const progress = startProgress(
          ctx,
          'unsealing',
          opened.files.reduce((n, f) => n + f.size, 0),
          opened.files.length,
        );
        try {
          for (const [i, entry] of opened.files.entries()) {
            const target = path.join(outDir, ...entry.name.split('/'));
            const bytes = await writeVerifiedFile({
              target,
              chunks: ds.read(opened, entry),
              onBytes: (n) => { progress.listener({ file: i, bytes: n, done: false }); },
            });
            progress.listener({ file: i, bytes, done: true });
          }
        } finally {
          progress.stop();
        }
        say(
          `wrote ${String(opened.files.length)} files of version ${String(opened.record.version)} to ${path.relative(ctx.cwd, outDir) || '.'}`,
        );
      });
    }, remote.get));

  withCommon(datasets.command('verify <dataset>'))
    .description('Verify manifests, signatures, ledger entries and every blob (exit code 1 on a problem)')
    .option('-n, --number <n>', 'only this version number', (v) => Number(v))
    .option('--deep', 'also unseal every file and check its digest')
    .addHelpText('after', '\nExample:\n  $ phiguard datasets verify chest-ct --deep')
    .action(localOrRemote(ctx, async (dataset: string, options: Common & { number?: number; deep?: boolean }) => {
      await withDatasets(options, async (ds) => {
        const report = await ds.verify(dataset, {
          ...(options.number === undefined ? {} : { version: options.number }),
          ...(options.deep === true ? { deep: true } : {}),
        });
        for (const p of report.problems)
          say(`problem: version ${String(p.version)}${p.blob === undefined ? '' : ` blob ${p.blob}`}: ${p.code}`);
        say(
          `${report.ok ? 'OK' : 'FAILED'}: ${String(report.versions)} versions, ${String(report.blobs)} blobs checked${options.deep === true ? ' (deep)' : ''}`,
        );
        if (!report.ok) process.exitCode = 1;
      });
    }, remote.verify));

  withCommon(datasets.command('hold <dataset>'))
    .description('Place a legal hold: nothing of the dataset can be deleted until it is released')
    .addHelpText('after', '\nExample:\n  $ phiguard datasets hold chest-ct --as usr_01…')
    .action(localOrRemote(ctx, async (dataset: string, options: Common) => {
      await withDatasets(options, async (ds) => {
        await ds.hold(actorOf(options), dataset);
        say(`legal hold placed on ${dataset}`);
      });
    }, remote.hold));

  withCommon(datasets.command('release-hold <dataset>'))
    .description('Release a legal hold (retention still applies)')
    .addHelpText('after', '\nExample:\n  $ phiguard datasets release-hold chest-ct --as usr_01…')
    .action(localOrRemote(ctx, async (dataset: string, options: Common) => {
      await withDatasets(options, async (ds) => {
        await ds.releaseHold(actorOf(options), dataset);
        say(`legal hold released on ${dataset}`);
      });
    }, remote.releaseHold));

  withCommon(datasets.command('retention <dataset>'))
    .description('Extend retention (it can never be shortened, by anyone)')
    .option('--until <date>', 'new retain-until date (YYYY-MM-DD)')
    .option('--days <n>', 'retain for this many days from now', (v) => Number(v))
    .addHelpText('after', '\nExample:\n  $ phiguard datasets retention chest-ct --until 2033-01-01 --as usr_01…')
    .action(localOrRemote(ctx, async (dataset: string, options: Common & { until?: string; days?: number }) => {
      const until = retention(options.until, options.days);
      if (until === undefined) throw new VaultError('invalid-argument', 'give --until DATE or --days N', { place: { field: 'until' } });
      await withDatasets(options, async (ds) => {
        await ds.setRetention(actorOf(options), dataset, until);
        say(`${dataset} retained until ${iso(until)}`);
      });
    }, remote.retention));

  withCommon(datasets.command('gc'))
    .description('Remove blobs that no version references (left by interrupted uploads) once retention allows')
    .option('--min-age-hours <n>', 'keep blobs younger than this (uploads in progress); default 1', (v) => Number(v))
    .addHelpText('after', '\nExample:\n  $ phiguard datasets gc --as usr_01…')
    .action(localOrRemote(ctx, async (options: Common & { minAgeHours?: number }) => {
      await withDatasets(options, async (ds) => {
        const report = await ds.gc(actorOf(options), { minAgeMs: (options.minAgeHours ?? 1) * 3_600_000 });
        say(
          `removed ${String(report.deleted.length)} unreferenced blobs; kept ${String(report.kept.length)} (${[...new Set(report.kept.map((k) => k.reason))].join(', ') || 'none'})`,
        );
      });
    }, remote.gc));
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function retention(until: string | undefined, days: number | undefined): number | undefined {
  if (until !== undefined) {
    const ms = Date.parse(until);
    if (Number.isNaN(ms))
      throw new VaultError('invalid-argument', 'retention date must be YYYY-MM-DD or RFC 3339', { place: { field: 'retain-until' } });
    return ms;
  }
  if (days !== undefined) {
    if (!Number.isFinite(days) || days <= 0)
      throw new VaultError('invalid-argument', 'retention days must be a positive number', { place: { field: 'retain-days' } });
    return Date.now() + Math.round(days * 86_400_000);
  }
  return undefined;
}

interface LocalFile {
  readonly path: string;
  readonly name: string;
  readonly size: number;
}

/** Files named on the command line (folders walked, sorted); names relative to `base` or to each argument's folder. */
export async function collectFiles(cwd: string, args: readonly string[], base: string | undefined): Promise<LocalFile[]> {
  const out: LocalFile[] = [];
  const walk = async (full: string, root: string): Promise<void> => {
    const info = await stat(full);
    if (info.isDirectory()) {
      for (const name of (await readdir(full)).sort()) await walk(path.join(full, name), root);
    } else if (info.isFile()) {
      out.push({ path: full, name: path.relative(root, full).split(path.sep).join('/'), size: info.size });
    }
  };
  for (const arg of args) {
    const full = path.resolve(cwd, arg);
    const info = await stat(full);
    const root = base !== undefined ? path.resolve(cwd, base) : info.isDirectory() ? full : path.dirname(full);
    await walk(full, root);
  }
  return out;
}

/** A cli-progress bar on a terminal for large work; otherwise a plain line per finished file. */
export function startProgress(ctx: CliContext, verb: string, totalBytes: number, files: number): { listener: ProgressListener; stop: () => void } {
  const bar =
    ctx.stderr.isTTY === true && totalBytes >= PROGRESS_MIN_BYTES
      ? new SingleBar({ format: `${verb} [{bar}] {percentage}% {value}/{total} MiB`, stream: ctx.stderr })
      : undefined;
  bar?.start(Math.ceil(totalBytes / MiB), 0);
  let finished = 0;
  let current = 0;
  let stopped = false;
  return {
    listener: (event) => {
      const done = finished + event.bytes;
      current = event.bytes;
      bar?.update(Math.floor(done / MiB));
      if (event.done) {
        finished += current;
        if (bar === undefined)
          ctx.stderr.write(`${verb}: ${String(event.file + 1)}/${String(files)} files, ${String(Math.floor(finished / MiB))} MiB\n`);
      }
    },
    stop: () => {
      if (!stopped) bar?.stop();
      stopped = true;
    },
  };
}
