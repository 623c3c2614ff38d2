import path from 'node:path';
import { KeysError, type KeystoreUnlock } from '@phiguard/keys';
import type { CliContext } from '../context.ts';

/** The local keystore file under the data home (docs/keys.md). */
export function keystoreFile(home: string): string {
  return path.join(home, 'keys', 'keystore.json');
}

/** How to unlock the local keystore: `--key-file FILE`, else PHIGUARD_KEYS_PASSPHRASE. */
export function keystoreUnlock(keyFile: string | undefined, ctx: Pick<CliContext, 'cwd' | 'env'>): KeystoreUnlock {
  if (keyFile !== undefined) return { kind: 'key-file', path: path.resolve(ctx.cwd, keyFile) };
  const passphrase = ctx.env.PHIGUARD_KEYS_PASSPHRASE;
  if (passphrase === undefined || passphrase === '') {
    throw new KeysError('keystore-locked', 'no passphrase or key file for the keystore', {
      hint: 'set PHIGUARD_KEYS_PASSPHRASE or pass --key-file FILE',
    });
  }
  return { kind: 'passphrase', passphrase };
}

/**
 * Who is acting: `--as`, else PHIGUARD_PRINCIPAL. Not authenticated yet (it will come from
 * `phiguard login` once these commands run against the server); `missing` makes the typed error.
 */
export function actingPrincipal(as: string | undefined, ctx: Pick<CliContext, 'env'>, missing: () => Error): string {
  const actor = as ?? ctx.env.PHIGUARD_PRINCIPAL;
  if (actor === undefined) throw missing();
  return actor;
}
