import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  folderTileLogReader,
  openConfiguredLedgerStore,
  openPgliteLedgerStore,
  openPostgresLedgerStore,
  parseVerifierKey,
  readTrustedVerifierKeys,
  type LedgerStore,
  type NoteVerifier,
  type TileLogReader,
} from '@phiguard/audit';
import type { PhiguardConfig } from '@phiguard/core';
import { AuditCliError } from './audit-cli-error.ts';

/** A log to read: a tile folder (read-only files) or a ledger database. */
export type AuditTarget =
  | { readonly kind: 'folder'; readonly reader: TileLogReader; readonly label: string }
  | { readonly kind: 'store'; readonly reader: LedgerStore; readonly label: string };

/**
 * Opens TARGET: a `postgres://` URL, a PGlite data folder (has PG_VERSION), an exported tile
 * folder (has `checkpoint`), or, when absent, the configured database (`.phiguard/db` by default).
 */
export async function openAuditTarget(target: string | undefined, config: PhiguardConfig, cwd: string): Promise<AuditTarget> {
  if (target === undefined) {
    const label = config.database.kind === 'pglite' ? config.database.dataDir : redactUrl(config.database.url);
    return { kind: 'store', reader: await openConfiguredLedgerStore(config.database), label };
  }
  if (/^postgres(ql)?:\/\//.test(target)) return { kind: 'store', reader: await openPostgresLedgerStore({ url: target }), label: redactUrl(target) };
  const dir = path.resolve(cwd, target);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new AuditCliError('bad-target', 'TARGET is not a folder or a postgres:// URL', { place: { path: dir }, hint: 'give an exported tile folder, a PGlite data folder or a postgres:// URL' });
  }
  if (existsSync(path.join(dir, 'PG_VERSION'))) return { kind: 'store', reader: await openPgliteLedgerStore(dir), label: dir };
  if (existsSync(path.join(dir, 'checkpoint'))) return { kind: 'folder', reader: folderTileLogReader(dir), label: dir };
  throw new AuditCliError('bad-target', 'TARGET holds neither a tile export (checkpoint file) nor a PGlite database (PG_VERSION)', {
    place: { path: dir },
    hint: 'run `phiguard audit export DIR` first, or point at the data folder (default .phiguard/db)',
  });
}

export async function closeAuditTarget(target: AuditTarget): Promise<void> {
  if (target.kind === 'store') await target.reader.close();
}

/**
 * The verifier keys to trust: `--key` values and `--key-file` lines; else the keys recorded
 * under the data home (`ledger-verifiers.pub`), reported as such since they are not independent.
 */
export function resolveVerifiers(options: { key?: string[]; keyFile?: string }, home: string, cwd: string): { verifiers: NoteVerifier[]; fromHome: boolean } {
  const texts = [...(options.key ?? [])];
  if (options.keyFile !== undefined) {
    const file = path.resolve(cwd, options.keyFile);
    let content: string;
    try {
      content = readFileSync(file, 'utf8');
    } catch (cause) {
      throw new AuditCliError('bad-argument', 'cannot read the --key-file', { cause, place: { file } });
    }
    texts.push(...content.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')));
  }
  const fromHome = texts.length === 0;
  if (fromHome) texts.push(...readTrustedVerifierKeys(home));
  if (texts.length === 0) {
    throw new AuditCliError('no-key', 'no verifier key to check the checkpoint with', {
      hint: 'pass --key VKEY or --key-file FILE (the log publishes its key: `phiguard audit public-key`)',
    });
  }
  return { verifiers: texts.map((t) => parseVerifierKey(t)), fromHome };
}

/** A URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}
