import { createHash } from 'node:crypto';
import {
  beginSignerRotation,
  finishSignerRotation,
  loadOrCreateSignerKeys,
  openConfiguredLedgerStore,
  openLedger,
  parseLeaf,
  proveInclusion,
  readVerifiedHead,
  verifyLog,
  type EntryQuery,
} from '@phiguard/audit';
import { systemClock } from '@phiguard/core';
import { type Command, Option } from 'commander';
import { AuditCliError } from '../audit/audit-cli-error.ts';
import { AuditProgress } from '../audit/audit-progress.ts';
import { closeAuditTarget, openAuditTarget, resolveVerifiers } from '../audit/audit-target.ts';
import { exportWithProgress } from '../audit/export-with-progress.ts';
import type { CliContext } from '../context.ts';
import { lazyRemote, localOnly, localOrRemote } from '../remote/remote-mode.ts';

interface KeyOptions {
  key?: string[];
  keyFile?: string;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/**
 * `phiguard audit …`: verify, prove, search and export the tamper-evident audit ledger
 * (HIPAA §164.312(b) audit controls, §164.312(c)(1) integrity), and manage its signer key.
 */
export function registerAudit(program: Command, ctx: CliContext): void {
  const config = (): ReturnType<CliContext['config']> => ctx.config(program.opts<{ config?: string }>().config);
  const remote = lazyRemote(async () => (await import('../remote/remote-audit.ts')).remoteAudit(ctx));
  const audit = program
    .command('audit')
    .description('Verify, search, prove and export the tamper-evident audit ledger')
    .addHelpText('after', '\nExamples:\n  $ phiguard audit verify\n  $ phiguard audit search --actor usr_01j… --since 2026-01-01\n  $ phiguard audit export ./ledger-tiles');

  audit
    .command('verify [target]')
    .description('Check every entry, tile and the signed checkpoint; print OK or the first bad index (exit code 1)')
    .option('--key <vkey>', 'trusted verifier key (C2SP note key); repeat for several', collect)
    .option('--key-file <file>', 'file with trusted verifier keys, one per line')
    .option('--origin <origin>', 'origin the checkpoint must name (default: any)')
    .addHelpText(
      'after',
      `
TARGET is an exported tile folder, a PGlite data folder or a postgres:// URL (default: the
configured database, .phiguard/db). Without --key/--key-file the keys recorded under the data
home are used; for an independent check pass the key the log published.

Examples:
  $ phiguard audit verify
  $ phiguard audit verify ./ledger-tiles --key-file published.vkey
  $ phiguard audit verify postgres://audit@db.internal/phiguard --key 'phiguard.local/audit+1a2b3c4d+AQ…'`,
    )
    .action(localOrRemote(ctx, async (target: string | undefined, options: KeyOptions & { origin?: string }) => {
      const cfg = config();
      const { verifiers, fromHome } = resolveVerifiers(options, cfg.home, ctx.cwd);
      if (fromHome) ctx.stderr.write(`note: trusting the verifier keys recorded in ${cfg.home}; pass --key for an independent check\n`);
      const opened = await openAuditTarget(target, cfg, ctx.cwd);
      const progress = new AuditProgress(ctx.stderr, 'verify');
      try {
        const report = await verifyLog(opened.reader, verifiers, {
          ...(options.origin === undefined ? {} : { origin: options.origin }),
          onProgress: (done, size) => {
            progress.update(done, size);
          },
        });
        progress.stop();
        if (report.ok) {
          ctx.stdout.write(`OK ${opened.label}: origin ${report.origin}, size ${String(report.size)}, root ${report.root.toString('base64')}\n`);
        } else {
          const at = report.firstBadIndex === undefined ? 'checkpoint' : `index ${String(report.firstBadIndex)}`;
          ctx.stdout.write(`FAILED ${opened.label}: first bad ${at}: ${report.reason} (${report.detail})\n`);
          process.exitCode = 1;
        }
      } finally {
        progress.stop();
        await closeAuditTarget(opened);
      }
    }, remote.verify));

  audit
    .command('proof <index>')
    .description('Print an entry, its inclusion proof (RFC 9162 §2.1.3) and the signed checkpoint, as JSON')
    .option('--key <vkey>', 'trusted verifier key; repeat for several', collect)
    .option('--key-file <file>', 'file with trusted verifier keys, one per line')
    .addHelpText('after', '\nExamples:\n  $ phiguard audit proof 41\n  $ phiguard audit proof 41 > entry-41.proof.json')
    .action(localOrRemote(ctx, async (indexText: string, options: KeyOptions) => {
      const index = parseIndex(indexText, 'INDEX');
      const cfg = config();
      const { verifiers } = resolveVerifiers(options, cfg.home, ctx.cwd);
      const store = await openConfiguredLedgerStore(cfg.database);
      try {
        const head = await readVerifiedHead(store, verifiers);
        const p = await proveInclusion(store, head, index);
        const out = {
          index: p.index,
          entry: p.event,
          leafHash: p.leafHash.toString('base64'),
          treeSize: p.size,
          root: p.root.toString('base64'),
          proof: p.proof.map((h) => h.toString('base64')),
          checkpoint: p.checkpoint,
        };
        ctx.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      } finally {
        await store.close();
      }
    }, remote.proof));

  audit
    .command('search')
    .description('Find entries by actor, action, resource and time; prints one JSON entry per line')
    .option('--actor <id>', 'actor id (usr_…, svc_…, node_…, or a system component code)')
    .option('--action <verb>', 'dotted action, e.g. dataset.read')
    .option('--resource <type:id>', 'resource as TYPE:ID, TYPE: (any id) or :ID (any type)')
    .option('--since <time>', 'from this time (RFC 3339 or a date), inclusive')
    .option('--until <time>', 'up to this time, exclusive')
    .option('--after <index>', 'only entries after this index (paging)')
    .addOption(new Option('--limit <n>', 'at most this many entries').default('100'))
    .addHelpText(
      'after',
      '\nExamples:\n  $ phiguard audit search --action key.destroy --since 2026-01-01\n  $ phiguard audit search --resource dataset:ds_01j… --limit 20\n  $ phiguard audit search --actor usr_01j… --after 1200',
    )
    .action(localOrRemote(ctx, async (options: { actor?: string; action?: string; resource?: string; since?: string; until?: string; after?: string; limit: string }) => {
      const query = searchQuery(options);
      const store = await openConfiguredLedgerStore(config().database);
      try {
        for (const hit of await store.search(query)) ctx.stdout.write(`${JSON.stringify({ index: hit.index, ...parseLeaf(hit.leaf) })}\n`);
      } finally {
        await store.close();
      }
    }, (r, o) => remote.search(r, searchQuery(o))));

  audit
    .command('export <dir>')
    .description('Write the ledger as static C2SP tlog-tiles (checkpoint, tiles, entry bundles) for offline audit')
    .option('--key <vkey>', 'check the checkpoint with this verifier key first; repeat for several', collect)
    .option('--key-file <file>', 'file with trusted verifier keys, one per line')
    .addHelpText('after', '\nExamples:\n  $ phiguard audit export ./ledger-tiles\n  $ phiguard audit verify ./ledger-tiles --key-file published.vkey')
    .action(localOrRemote(ctx, async (dir: string, options: KeyOptions) => {
      const cfg = config();
      const { verifiers } = resolveVerifiers(options, cfg.home, ctx.cwd);
      const store = await openConfiguredLedgerStore(cfg.database);
      try {
        await exportWithProgress(ctx, store, dir, dir, verifiers);
      } finally {
        await store.close();
      }
    }, remote.exportTo));

  audit
    .command('public-key')
    .description("Print the ledger signer's verifier key (C2SP note key) to publish to auditors")
    .addHelpText('after', '\nExamples:\n  $ phiguard audit public-key > published.vkey')
    .action(localOrRemote(ctx, () => {
      const cfg = config();
      ctx.stdout.write(`${loadOrCreateSignerKeys(cfg.home, cfg.ledger.origin).verifierKey}\n`);
    }, remote.publicKey));

  audit
    .command('rotate-signer')
    .description('Replace the ledger signer key; the hand-over checkpoint is signed by the old and the new key')
    .addHelpText('after', '\nExamples:\n  $ phiguard audit rotate-signer\n  $ phiguard audit public-key > published.vkey   # publish the new key')
    .action(async () => {
      const cfg = config();
      const { handover, next } = beginSignerRotation(cfg.home, cfg.ledger.origin, systemClock);
      const ledger = await openLedger({ config: cfg, clock: systemClock, signer: handover });
      try {
        await ledger.record({
          actor: { kind: 'system', id: 'ledger' },
          action: 'ledger.rotate-signer',
          outcome: 'success',
          details: { newKey: `sha256:${createHash('sha256').update(next.verifierKey).digest('hex')}` },
        });
      } finally {
        await ledger.close();
      }
      finishSignerRotation(cfg.home);
      ctx.stdout.write(`new verifier key (publish it; the old one stays trusted for older checkpoints):\n${next.verifierKey}\n`);
    });
  const rotate = audit.commands.find((c) => c.name() === 'rotate-signer');
  if (rotate !== undefined) localOnly(rotate, ctx, 'the signer key lives in the data folder of the ledger\'s host');
}

export function parseIndex(text: string, what: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) throw new AuditCliError('bad-argument', `${what} must be a non-negative integer`, { place: { field: what } });
  return n;
}

function parseTime(text: string, flag: string): string {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new AuditCliError('bad-argument', `${flag} must be an RFC 3339 time or a date`, { place: { field: flag } });
  return new Date(ms).toISOString();
}

export function searchQuery(options: { actor?: string; action?: string; resource?: string; since?: string; until?: string; after?: string; limit: string }): EntryQuery {
  let resource: Pick<EntryQuery, 'resourceType' | 'resourceId'> = {};
  if (options.resource !== undefined) {
    const colon = options.resource.indexOf(':');
    if (colon < 0) throw new AuditCliError('bad-argument', '--resource must be TYPE:ID, TYPE: or :ID', { place: { field: '--resource' } });
    const type = options.resource.slice(0, colon);
    const id = options.resource.slice(colon + 1);
    resource = { ...(type === '' ? {} : { resourceType: type }), ...(id === '' ? {} : { resourceId: id }) };
  }
  return {
    ...(options.actor === undefined ? {} : { actorId: options.actor }),
    ...(options.action === undefined ? {} : { action: options.action }),
    ...resource,
    ...(options.since === undefined ? {} : { from: parseTime(options.since, '--since') }),
    ...(options.until === undefined ? {} : { to: parseTime(options.until, '--until') }),
    ...(options.after === undefined ? {} : { after: parseIndex(options.after, '--after') }),
    limit: parseIndex(options.limit, '--limit'),
  };
}
