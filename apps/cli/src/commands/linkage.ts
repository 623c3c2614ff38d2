import path from 'node:path';
import { isPurposeOfUse, openLedger, type PurposeOfUse } from '@phiguard/audit';
import { systemClock, type PhiguardConfig } from '@phiguard/core';
import { openKeyManager } from '@phiguard/keys';
import { LinkageVault, linkageVaultTimes, openVaultDatabase, SqlLinkageStore, VaultError } from '@phiguard/vault';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { actingPrincipal, keystoreFile, keystoreUnlock } from '../keys/keystore-access.ts';
import { lazyRemote, localOrRemote } from '../remote/remote-mode.ts';
import {
  checkRevealTarget, decidedLine, discard, listLines, openRevealFile, readTokens, requestedLine, showLines, STATUS_HELP, statusOption, viewOf, withdrawnLine, writeRevealed,
  type ListOptions, type RequestOptions, type RevealOutput,
} from './linkage-output.ts';

interface Common {
  as?: string;
  keyFile?: string;
}

/**
 * `phiguard linkage …`: re-identification through the linkage vault (docs/vault.md
 * "Re-identification"): request (purpose of use + stated reason) → approve or deny by another
 * person → reveal, once, by the requester. Locally over `<home>/vault-db` and the keystore, acting
 * `--as` a principal; with `--server` as the logged-in user, where Cedar decides as well.
 */
export function registerLinkage(program: Command, ctx: CliContext): void {
  const config = (): PhiguardConfig => ctx.config(program.opts<{ config?: string }>().config);
  const say = (line: string): void => {
    ctx.stdout.write(`${line}\n`);
  };
  const remote = lazyRemote(async () => (await import('../remote/remote-linkage.ts')).remoteLinkage(ctx));
  const actorOf = (o: Common): string =>
    actingPrincipal(o.as, ctx, () => new VaultError('invalid-argument', 'who is acting is not known', { hint: 'pass --as usr_… (or set PHIGUARD_PRINCIPAL)' }));
  /** The global `--purpose` (or $PHIGUARD_PURPOSE), checked. */
  const purposeOf = (): PurposeOfUse | undefined => {
    const text = program.opts<{ purpose?: string }>().purpose ?? ctx.env.PHIGUARD_PURPOSE;
    if (text === undefined) return undefined;
    if (!isPurposeOfUse(text)) throw new VaultError('request-invalid', 'unknown purpose of use (HL7 v3 ActReason code, e.g. HRESCH, CLINTRCH, TREAT)', { place: { field: '--purpose' } });
    return text;
  };

  /** Ledger, keystore, vault database; the linkage vault that `deid … --linkage-key` created. */
  async function withVault<T>(o: Common, work: (vault: LinkageVault) => Promise<T>): Promise<T> {
    const cfg = config();
    const ledger = await openLedger({ config: cfg, clock: systemClock });
    try {
      const manager = await openKeyManager({ file: keystoreFile(cfg.home), unlock: keystoreUnlock(o.keyFile, ctx), audit: ledger, clock: systemClock });
      try {
        const driver = await openVaultDatabase(cfg.database.kind === 'pglite' ? { kind: 'pglite', dataDir: path.join(cfg.home, 'vault-db') } : { kind: 'postgres', url: cfg.database.url });
        try {
          // Time limits from the config's `linkage` section (docs/reidentification.md "Time limits").
          const vault = await LinkageVault.openExisting({ store: new SqlLinkageStore(driver), provider: manager.provider, audit: ledger, clock: systemClock, ...linkageVaultTimes(cfg.linkage) });
          if (vault === undefined) throw new VaultError('not-found', 'no linkage vault here yet', { hint: 'de-identify with a profile that encrypts: phiguard deid fhir … --linkage-key KEY_ID' });
          return await work(vault);
        } finally {
          await driver.close();
        }
      } finally {
        manager.close();
      }
    } finally {
      await ledger.close();
    }
  }

  const linkage = program
    .command('linkage')
    .description('Re-identify linkage tokens (LNK-…): request with a purpose and reason, approval by another person, one reveal')
    .addHelpText(
      'after',
      `
Two people, always: the requester cannot approve or deny their own request; only the requester can
reveal, once, within 24 hours of the approval (after that: approval-expired), for the purpose it
was approved for. A request nobody decides lapses after 7 days (shown as expired); the requester
may withdraw it before it is revealed. Both limits are config settings: linkage.openTtlMs and
linkage.revealWindowMs (docs/reidentification.md "Time limits"). Every step is a ledger entry (ids, counts and hashes; never a value or a reason's text).
Locally: the keystore opens with PHIGUARD_KEYS_PASSPHRASE or --key-file FILE; --as usr_… says who
acts. With --server URL you act as your \`phiguard login\` user and Cedar policies decide too.
The purpose of use is the global option: phiguard --purpose HRESCH linkage …
Examples:
  $ phiguard --purpose HRESCH linkage request --tokens-file findings.txt --reason "call back trial candidates" --as usr_01…
  $ phiguard linkage list --review --as usr_02…
  $ phiguard linkage approve reid_01… --as usr_02…
  $ phiguard --purpose HRESCH linkage reveal reid_01… --out patients.tsv --as usr_01…`,
    );
  const withCommon = (command: Command): Command =>
    command
      .option('--as <principal>', 'your principal id (usr_…), locally; default $PHIGUARD_PRINCIPAL')
      .option('--key-file <file>', 'unlock the keystore with a 32-byte key file instead of the passphrase');

  withCommon(linkage.command('request [tokens...]'))
    .description('Ask to re-identify tokens (as arguments and/or --tokens-file) for the global --purpose, stating why')
    .requiredOption('--reason <text>', 'why, for the reviewer (1 to 2,000 characters; kept in the vault, only its hash in the ledger)')
    .option('--tokens-file <file>', 'tokens, one per line (blank lines and # comments skipped)')
    .addHelpText('after', '\nExamples:\n  $ phiguard --purpose HRESCH linkage request LNK-… LNK-… --reason "re-contact for trial NCT0…" --as usr_01…\n  $ phiguard --purpose CLINTRCH linkage request --tokens-file rows.txt --reason "40 rows flagged by model m-4" --server https://…')
    .action(localOrRemote(ctx, async (tokens: string[], o: Common & RequestOptions) => {
      const list = readTokens(ctx, tokens, o.tokensFile);
      const purpose = purposeOf();
      if (purpose === undefined) throw new VaultError('request-invalid', 'a re-identification request needs a purpose of use', { place: { field: '--purpose' }, hint: 'phiguard --purpose HRESCH linkage request …' });
      await withVault(o, async (vault) => {
        say(requestedLine(viewOf(vault, await vault.request({ requester: actorOf(o), tokens: list, purpose, reason: o.reason }), false)));
      });
    }, remote.request));

  withCommon(linkage.command('list'))
    .description('Your requests, or with --review the ones waiting for a decision (no values are ever listed)')
    .option('--review', 'requests to review (default status open) instead of your own')
    .option('--status <status>', `only this status: ${STATUS_HELP}`)
    .option('--limit <n>', 'at most this many, newest first (default 100)', (v) => Number(v))
    .addHelpText('after', '\nExamples:\n  $ phiguard linkage list --as usr_01…\n  $ phiguard linkage list --review --server https://phiguard.example:8443')
    .action(localOrRemote(ctx, async (o: Common & ListOptions) => {
      const status = statusOption(o.status);
      const limit = o.limit ?? 100;
      await withVault(o, async (vault) => {
        const found = o.review === true
          ? await vault.list({ statuses: [status ?? 'open'], limit })
          : await vault.list({ requester: actorOf(o), ...(status === undefined ? {} : { statuses: [status] }), limit });
        for (const line of listLines(found.map((r) => viewOf(vault, r, false)))) say(line);
      });
    }, remote.list));

  withCommon(linkage.command('show <id>'))
    .description('One request: purpose, reason, decision, expiry and its tokens (never values)')
    .addHelpText('after', '\nExample:\n  $ phiguard linkage show reid_01… --as usr_02…')
    .action(localOrRemote(ctx, async (id: string, o: Common) => {
      await withVault(o, async (vault) => {
        const found = await vault.get(id);
        if (found === undefined) throw new VaultError('not-found', 'no such re-identification request', { place: { field: 'id' } });
        for (const line of showLines(viewOf(vault, found, true))) say(line);
      });
    }, remote.show));

  withCommon(linkage.command('approve <id>'))
    .description('Approve another person\'s request (never your own); the requester may then reveal it once')
    .addHelpText('after', '\nExample:\n  $ phiguard linkage approve reid_01… --as usr_02…')
    .action(localOrRemote(ctx, async (id: string, o: Common) => {
      await withVault(o, async (vault) => {
        await vault.approve({ requestId: id, approver: actorOf(o) });
        const after = await vault.get(id);
        if (after !== undefined) say(decidedLine(viewOf(vault, after, false)));
      });
    }, remote.approve));

  withCommon(linkage.command('deny <id>'))
    .description('Deny another person\'s request, optionally saying why (kept in the vault for the requester)')
    .option('--reason <text>', 'why (1 to 2,000 characters)')
    .addHelpText('after', '\nExample:\n  $ phiguard linkage deny reid_01… --reason "not covered by the IRB protocol" --as usr_02…')
    .action(localOrRemote(ctx, async (id: string, o: Common & { reason?: string }) => {
      await withVault(o, async (vault) => {
        await vault.deny({ requestId: id, approver: actorOf(o), ...(o.reason === undefined ? {} : { reason: o.reason }) });
        const after = await vault.get(id);
        if (after !== undefined) say(decidedLine(viewOf(vault, after, false)));
      });
    }, remote.deny));

  withCommon(linkage.command('withdraw <id>'))
    .description('Withdraw your own request while it is open or approved and not yet revealed; it can then be neither approved nor revealed')
    .addHelpText('after', '\nExamples:\n  $ phiguard linkage withdraw reid_01… --as usr_01…\n  $ phiguard linkage withdraw reid_01… --server https://…')
    .action(localOrRemote(ctx, async (id: string, o: Common) => {
      await withVault(o, async (vault) => {
        say(withdrawnLine(viewOf(vault, await vault.withdraw({ requestId: id, actor: actorOf(o) }), false)));
      });
    }, remote.withdraw));

  withCommon(linkage.command('reveal <id>'))
    .description('Reveal the original values of your approved request, once: into a new 0600 file, or to stdout when it is not a terminal')
    .option('--out <file>', 'write here (created with mode 0600; an existing file is never overwritten)')
    .option('--format <format>', 'tsv (token, kind, value; \\t \\n \\\\ escaped) or json', 'tsv')
    .addHelpText('after', '\nExamples:\n  $ phiguard --purpose HRESCH linkage reveal reid_01… --out patients.tsv --as usr_01…\n  $ phiguard --purpose HRESCH linkage reveal reid_01… --format json --server https://… | jq …')
    .action(localOrRemote(ctx, async (id: string, o: Common & RevealOutput) => {
      const format = checkRevealTarget(ctx, o);
      const purpose = purposeOf();
      const actor = actorOf(o);
      await withVault(o, async (vault) => {
        const file = o.out === undefined ? undefined : openRevealFile(ctx, o.out);
        try {
          const revealed = await vault.reveal({ requestId: id, actor, ...(purpose === undefined ? {} : { purpose }) });
          const request = await vault.get(id);
          const rows = (request?.tokens ?? []).map((token) => ({ token, kind: revealed.get(token)?.kind ?? '', value: revealed.get(token)?.value ?? '' }));
          writeRevealed(ctx, file, rows, format, id, request?.purpose ?? '');
        } catch (error) {
          if (file !== undefined) discard(file);
          throw error;
        }
      });
    }, remote.reveal));
}
