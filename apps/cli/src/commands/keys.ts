import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { openLedger } from '@phiguard/audit';
import { systemClock, type PhiguardConfig } from '@phiguard/core';
import {
  fileSource,
  FileWrappedKeyStore,
  initKeystore,
  KeysError,
  openKeyManager,
  readFrameLayout,
  recoverKeystore,
  rewrapEnvelopeHeader,
  rewrapStore,
  sealStream,
  unsealStream,
  type KeyManager,
  type KeyProvider,
  type KeystoreUnlock,
} from '@phiguard/keys';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { actingPrincipal, keystoreFile, keystoreUnlock } from '../keys/keystore-access.ts';
import { parseContext, streamToFile, unsealedName } from '../keys/sealed-files.ts';
import { lazyRemote, localOrRemote } from '../remote/remote-mode.ts';

interface Common {
  as?: string;
  keyFile?: string;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/**
 * `phiguard keys …`: the local keystore under `<home>/keys/` (HIPAA §164.312(a)(2)(iv), NIST SP
 * 800-171 3.13.10): create, rotate and rewrap KEKs, dual-control destroy, seal and unseal files.
 * Every operation is an event in the audit ledger. docs/keys.md is the user guide.
 */
export function registerKeys(program: Command, ctx: CliContext): void {
  const config = (): PhiguardConfig => ctx.config(program.opts<{ config?: string }>().config);
  const say = (line: string): void => {
    ctx.stdout.write(`${line}\n`);
  };

  const remote = lazyRemote(async () => {
    const [k, d, s] = await Promise.all([import('../remote/remote-keys.ts'), import('../remote/remote-data-keys.ts'), import('../remote/remote-keystore.ts')]);
    return { ...k.remoteKeys(ctx), ...d.remoteDataKeys(ctx), ...s.remoteKeystore(ctx) };
  });
  const unlockFrom = (options: Common): KeystoreUnlock => keystoreUnlock(options.keyFile, ctx);
  const actorOf = (options: Common): string =>
    actingPrincipal(
      options.as,
      ctx,
      () => new KeysError('approval-required', 'who is acting is not known', { hint: 'pass --as usr_… (or set PHIGUARD_PRINCIPAL)' }),
    );

  /** Opens the ledger (the AuditRecorder) and the keystore, runs `work`, closes both. */
  async function withManager<T>(options: Common, work: (manager: KeyManager, cfg: PhiguardConfig) => Promise<T>): Promise<T> {
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
        return await work(manager, cfg);
      } finally {
        manager.close();
      }
    } finally {
      await ledger.close();
    }
  }

  const keys = program
    .command('keys')
    .description('Manage encryption keys (local keystore) and seal or unseal files')
    .addHelpText(
      'after',
      `
Secrets: the keystore opens with PHIGUARD_KEYS_PASSPHRASE (argon2id) or --key-file FILE (32 bytes, mode 0600).
Examples:
  $ phiguard keys init --as usr_01… --custodian usr_01a… --custodian usr_01b… --custodian usr_01c… --threshold 2
  $ phiguard keys create dataset-key --as usr_01… --rotate-every 90
  $ phiguard keys seal notes.ndjson --key dataset-key --as usr_01…`,
    );
  const withCommon = (command: Command): Command =>
    command
      .option('--as <principal>', 'your principal id (usr_…); default $PHIGUARD_PRINCIPAL')
      .option('--key-file <file>', 'unlock with a 32-byte key file instead of the passphrase');

  withCommon(keys.command('init'))
    .description('Create the keystore and split its recovery key among the custodians (Shamir, M of N)')
    .requiredOption('--custodian <principal>', 'a key custodian (repeat; at least 2)', collect)
    .requiredOption('--threshold <m>', 'approvals needed for destroy/export and shares needed for recovery', (v) => Number(v))
    .addHelpText(
      'after',
      '\nExamples:\n  $ PHIGUARD_KEYS_PASSPHRASE=… phiguard keys init --as usr_01… --custodian usr_01a… --custodian usr_01b… --threshold 2\n  $ phiguard --server https://phiguard.example:8443 keys init --custodian usr_01a… --custodian usr_01b… --threshold 2   (the server\'s keystore, under its own secret)',
    )
    .action(localOrRemote(ctx, async (options: Common & { custodian: string[]; threshold: number }) => {
      const cfg = config();
      mkdirSync(path.dirname(keystoreFile(cfg.home)), { recursive: true, mode: 0o700 });
      const ledger = await openLedger({ config: cfg, clock: systemClock });
      try {
        const { manager, recoveryShares } = await initKeystore({
          file: keystoreFile(cfg.home),
          unlock: unlockFrom(options),
          audit: ledger,
          clock: systemClock,
          actor: actorOf(options),
          custodians: options.custodian,
          threshold: options.threshold,
        });
        manager.close();
        say(`keystore created: ${keystoreFile(cfg.home)}`);
        say(
          `recovery shares (give one to each custodian; any ${Math.max(2, options.threshold)} recover the keystore; they are shown only now):`,
        );
        recoveryShares.forEach((share, i) => {
          say(`  ${options.custodian[i] ?? `share-${i + 1}`}  ${share}`);
        });
      } finally {
        await ledger.close();
      }
    }, remote.init));

  withCommon(keys.command('list'))
    .description('List keys with their versions and state')
    .addHelpText('after', '\nExample:\n  $ phiguard keys list')
    .action(localOrRemote(ctx, async (options: Common) => {
      await withManager(options, (manager) => {
        say('key id                          state      latest  min  created');
        for (const k of manager.list()) {
          say(
            `${k.keyId.padEnd(32)}${k.state.padEnd(11)}${String(k.latestVersion).padStart(6)}  ${String(k.minDecryptVersion).padStart(3)}  ${new Date(k.createdAtMs).toISOString()}`,
          );
        }
        for (const r of manager.listRequests().filter((x) => x.status === 'open')) {
          say(
            `open request ${r.id}: ${r.operation} ${r.keyId}${r.version === null ? '' : ` v${r.version}`} by ${r.requestedBy}, ${r.approvals.length}/${manager.custodians.threshold} approvals`,
          );
        }
        return Promise.resolve();
      });
    }, remote.list));

  withCommon(keys.command('create <keyId>'))
    .description('Create a key-encryption key (version 1)')
    .option('--rotate-every <days>', 'rotate automatically when the newest version is older than this (`keys rotate --due`)', (v) =>
      Number(v),
    )
    .addHelpText('after', '\nExample:\n  $ phiguard keys create dataset-key --as usr_01… --rotate-every 90')
    .action(localOrRemote(ctx, async (keyId: string, options: Common & { rotateEvery?: number }) => {
      await withManager(options, async (manager) => {
        const meta = await manager.createKey(
          actorOf(options),
          keyId,
          options.rotateEvery === undefined ? {} : { rotationPeriodMs: options.rotateEvery * 86_400_000 },
        );
        say(`created ${meta.keyId} v${meta.latestVersion}`);
      });
    }, remote.create));

  withCommon(keys.command('rotate [keyId]'))
    .description('Add a new key version (new data uses it; old versions still decrypt)')
    .option('--due', 'rotate every key whose rotation period has passed')
    .addHelpText(
      'after',
      '\nExamples:\n  $ phiguard keys rotate dataset-key --as usr_01…\n  $ phiguard keys rotate --due --as usr_01…   (from cron)',
    )
    .action(localOrRemote(ctx, async (keyId: string | undefined, options: Common & { due?: boolean }) => {
      await withManager(options, async (manager) => {
        const actor = actorOf(options);
        if (options.due === true) {
          const rotated = await manager.rotateDue(actor);
          say(
            rotated.length === 0
              ? 'no key is due for rotation'
              : rotated.map((k) => `rotated ${k.keyId} to v${k.latestVersion}`).join('\n'),
          );
          return;
        }
        if (keyId === undefined) throw new KeysError('unknown-key', 'name a key or pass --due', { hint: 'phiguard keys rotate KEY_ID' });
        say(`rotated ${keyId} to v${(await manager.rotate(actor, keyId)).latestVersion}`);
      });
    }, remote.rotate));

  withCommon(keys.command('rewrap [files...]'))
    .description(
      'Re-wrap data keys under the newest key versions without re-encrypting data: sealed files (header only) or a wrapped-key folder',
    )
    .option('--store <dir>', 'a folder of wrapped-key records (one JSON file each)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ phiguard keys rewrap data/*.pge --as usr_01…\n  $ phiguard keys rewrap --store .phiguard/vault/deks --as usr_01…',
    )
    .action(localOrRemote(ctx, async (files: string[], options: Common & { store?: string }) => {
      await withManager(options, async (manager) => {
        const actor = actorOf(options);
        if (options.store !== undefined) {
          const report = await rewrapStore(manager, new FileWrappedKeyStore(path.resolve(ctx.cwd, options.store)), actor, {
            onProgress: (done, total) => {
              say(`rewrap: ${done}/${total}`);
            },
          });
          say(
            `rewrapped ${report.rewrapped} of ${report.examined}; failed ${report.failed.length}${report.failed.map((f) => `\n  ${f.id}: ${f.code}`).join('')}`,
          );
        }
        for (const file of files) say(`${file}: ${await rewrapFile(manager, actor, path.resolve(ctx.cwd, file))}`);
      });
    }, remote.rewrap));

  withCommon(keys.command('request-destroy <keyId>'))
    .description('Ask the custodians to approve crypto-shredding a key (or one old version)')
    .option('--version <n>', 'destroy only this (not the newest) version', (v) => Number(v))
    .addHelpText('after', '\nExample:\n  $ phiguard keys request-destroy old-study-key --as usr_01…')
    .action(localOrRemote(ctx, async (keyId: string, options: Common & { version?: number }) => {
      await withManager(options, async (manager) => {
        const request = await manager.request(actorOf(options), 'destroy', keyId, options.version ?? null);
        say(
          `request ${request.id}: destroy ${keyId}${request.version === null ? '' : ` v${request.version}`}; needs ${manager.custodians.threshold} custodian approvals (phiguard keys approve ${request.id})`,
        );
      });
    }, remote.requestDestroy));

  withCommon(keys.command('approve <requestId>'))
    .description('Approve a request as a key custodian (not your own; once)')
    .addHelpText('after', '\nExample:\n  $ phiguard keys approve kreq_01… --as usr_01custodian…')
    .action(localOrRemote(ctx, async (requestId: string, options: Common) => {
      await withManager(options, async (manager) => {
        const request = await manager.approve(actorOf(options), requestId);
        say(`approved ${request.id}: ${request.approvals.length}/${manager.custodians.threshold}`);
      });
    }, remote.approve));

  withCommon(keys.command('destroy <requestId>'))
    .description('Carry out an approved destroy request: erase the key material (crypto-shredding)')
    .addHelpText('after', '\nExample:\n  $ phiguard keys destroy kreq_01… --as usr_01…')
    .action(localOrRemote(ctx, async (requestId: string, options: Common) => {
      await withManager(options, async (manager) => {
        const meta = await manager.destroy(actorOf(options), requestId);
        say(
          `destroyed: ${meta.keyId} is ${meta.state}; versions erased: ${meta.versions
            .filter((v) => v.destroyed)
            .map((v) => v.version)
            .join(', ')}`,
        );
      });
    }, remote.destroy));

  withCommon(keys.command('recover'))
    .description(
      'Recover a keystore whose passphrase or key file was lost, from M custodian shares; the new secret comes from the usual options',
    )
    .requiredOption('--share <share>', 'a recovery share (repeat)', collect)
    .addHelpText(
      'after',
      '\nExamples:\n  $ PHIGUARD_KEYS_PASSPHRASE=new… phiguard keys recover --share pgks1-… --share pgks1-… --as usr_01…\n  $ phiguard --server https://phiguard.example:8443 keys recover --share pgks1-…   (each custodian, their own share; the server runs with PHIGUARD_KEYS_RECOVER=1)',
    )
    .action(localOrRemote(ctx, async (options: Common & { share: string[] }) => {
      const cfg = config();
      const ledger = await openLedger({ config: cfg, clock: systemClock });
      try {
        const manager = await recoverKeystore({
          file: keystoreFile(cfg.home),
          unlock: unlockFrom(options),
          audit: ledger,
          clock: systemClock,
          shares: options.share,
          actor: actorOf(options),
        });
        manager.close();
        say('keystore recovered; it now opens with the new passphrase or key file');
      } finally {
        await ledger.close();
      }
    }, remote.recover));

  withCommon(keys.command('seal <file>'))
    .description('Seal a file into a PHIGuard envelope (AES-256-GCM, docs/formats/envelope.md)')
    .requiredOption('--key <keyId>', 'the key-encryption key')
    .option('-o, --out <file>', 'output (default FILE.pge)')
    .option('--context <key=value>', 'non-secret reference bound to the file (repeat; ids and codes only, never PHI)', collect)
    .option('--frame-size <bytes>', 'plaintext bytes per frame (default 262144)', (v) => Number(v))
    .addHelpText('after', '\nExamples:\n  $ phiguard keys seal notes.ndjson --key dataset-key --context dataset=ds-7 --as usr_01…\n  $ phiguard --server https://phiguard.example:8443 --purpose HRESCH keys seal notes.ndjson --key dataset-key   (sealed here with a data key from the server)')
    .action(localOrRemote(ctx, async (file: string, options: Common & { key: string; out?: string; context?: string[]; frameSize?: number }) => {
      await withManager(options, async (manager) => {
        const context = parseContext(options.context);
        const input = path.resolve(ctx.cwd, file);
        const out = path.resolve(ctx.cwd, options.out ?? `${file}.pge`);
        const bytes = await streamToFile(
          ctx,
          input,
          out,
          (source) =>
            sealStream(source, {
              wrapWith: [{ provider: manager.provider, keyId: options.key }],
              context,
              ...(options.frameSize === undefined ? {} : { frameSize: options.frameSize }),
            }),
          'sealing',
        );
        await manager.recordEvent(actorOf(options), 'key.seal', [{ type: 'key', id: options.key }], { bytes });
        say(`sealed ${path.relative(ctx.cwd, out)} (${bytes} bytes of plaintext)`);
      });
    }, remote.seal));

  withCommon(keys.command('unseal <file>'))
    .description('Unseal a PHIGuard envelope; the output appears only if every frame verified')
    .option('-o, --out <file>', 'output (default FILE without .pge)')
    .addHelpText('after', '\nExamples:\n  $ phiguard keys unseal notes.ndjson.pge -o notes.ndjson --as usr_01…\n  $ phiguard --server https://phiguard.example:8443 --purpose HRESCH keys unseal notes.ndjson.pge   (only the wrapped data key goes to the server)')
    .action(localOrRemote(ctx, async (file: string, options: Common & { out?: string }) => {
      await withManager(options, async (manager) => {
        const input = path.resolve(ctx.cwd, file);
        const out = path.resolve(ctx.cwd, options.out ?? unsealedName(file));
        let keyId = '';
        await streamToFile(
          ctx,
          input,
          out,
          (source) =>
            unsealStream(source, {
              providers: [manager.provider],
              onHeader: (h) => {
                keyId = h.wrappedKeys[0]?.keyId ?? '';
              },
            }),
          'unsealing',
        );
        await manager.recordEvent(actorOf(options), 'key.unseal', keyId === '' ? [] : [{ type: 'key', id: keyId }], {
          bytes: (await stat(out)).size,
        });
        say(`unsealed ${path.relative(ctx.cwd, out)}`);
      });
    }, remote.unseal));
}

/** Rewrites a sealed file's header with its DEKs re-wrapped (through the audited batch API); frames are copied unchanged. */
async function rewrapFile(manager: KeyManager, actor: string, file: string): Promise<string> {
  const handle = await open(file, 'r');
  let header: Buffer;
  let oldVersions: string;
  try {
    const layout = await readFrameLayout(fileSource(handle));
    oldVersions = layout.header.wrappedKeys.map((w) => `${w.keyId} v${w.version}`).join(', ');
    header = await fileSource(handle).read(0, layout.header.length);
  } finally {
    await handle.close();
  }
  const audited: KeyProvider = {
    id: manager.provider.id,
    rewrapDataKey: async (wrapped) => {
      const [result] = await manager.rewrap(actor, [wrapped]);
      if (result?.ok !== true)
        throw new KeysError('unwrap-failed', `cannot rewrap (${result?.code ?? 'unknown'})`, { place: { file: path.basename(file) } });
      return result.wrapped;
    },
    generateDataKey: (k) => manager.provider.generateDataKey(k),
    wrapDataKey: (k, d) => manager.provider.wrapDataKey(k, d),
    unwrapDataKey: (w) => manager.provider.unwrapDataKey(w),
    describeKey: (k) => manager.provider.describeKey(k),
  };
  const newHeader = await rewrapEnvelopeHeader(header, [audited]);
  const temp = `${file}.${String(process.pid)}.partial`;
  try {
    const output = createWriteStream(temp, { mode: 0o600 });
    await pipeline(
      (async function* () {
        yield newHeader;
        yield* createReadStream(file, { start: header.length, highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>;
      })(),
      output,
    );
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return `was ${oldVersions}; header rewritten, frames unchanged`;
}
