import { KeysError } from '../keys-error.ts';
import { DEFAULT_ARGON2, openKeystoreFile, readKeystoreFile, rewrapStoreKey, saveKeystoreFile } from '../local/keystore-file.ts';
import { deserializeState } from '../local/keystore-state.ts';
import { checkPrincipal } from './dual-control.ts';
import { KeyManager, type KeyManagerOptions } from './key-manager.ts';
import { combineShareParts } from './recovery-shares.ts';

/** How many shares recover the keystore at `file` (read from its unencrypted recovery header). */
export async function recoveryThreshold(file: string): Promise<number> {
  const content = await readKeystoreFile(file);
  if (content.recovery === null) throw new KeysError('recovery-failed', 'this keystore has no recovery key', { place: { field: 'keystore' } });
  return content.recovery.threshold;
}

/**
 * Recovers a keystore from shares that different people submitted (the server's
 * `keys recover --server`): combines them, opens the keystore with the recovery key, checks that
 * every submitter is one of the keystore's own custodians (the list inside the encrypted state),
 * and only then wraps the store key under `unlock` and saves. Ledger: `key.recover` by the last
 * submitter, naming how many shares and the other submitters by id. Zeroes `parts`.
 */
export async function recoverKeystoreByCustodians(options: KeyManagerOptions & { readonly parts: readonly Uint8Array[]; readonly submitters: readonly string[] }): Promise<KeyManager> {
  const { parts, submitters } = options;
  try {
    submitters.forEach((s) => { checkPrincipal(s, 'custodian'); });
    const actor = submitters.at(-1);
    if (actor === undefined || new Set(submitters).size !== submitters.length) throw new KeysError('recovery-failed', 'recovery needs shares from distinct custodians', { place: { field: 'share' } });
    const recoveryKey = await combineShareParts(parts);
    let opened: Awaited<ReturnType<typeof openKeystoreFile>>;
    try {
      opened = await openKeystoreFile(options.file, { kind: 'recovery-key', key: recoveryKey });
    } finally {
      recoveryKey.fill(0);
    }
    const state = deserializeState(opened.state);
    const strangers = submitters.filter((s) => !state.custodians.ids.includes(s));
    if (strangers.length > 0) {
      opened.storeKey.fill(0);
      opened.state.fill(0);
      for (const record of state.keys.values()) for (const v of record.versions) v.material?.fill(0);
      throw new KeysError('not-custodian', 'a share came from someone who is not a custodian of this keystore', { place: { field: 'share' } });
    }
    const content = await rewrapStoreKey(opened.content, opened.storeKey, options.unlock, options.argon2 ?? DEFAULT_ARGON2);
    const saved = await saveKeystoreFile(options.file, content, opened.storeKey, opened.state);
    opened.state.fill(0);
    const manager = new KeyManager(options, saved, opened.storeKey, state);
    const others = Object.fromEntries(submitters.slice(0, -1).map((s, i) => [`custodian${String(i + 1)}`, s]));
    await manager.recordEvent(actor, 'key.recover', [], { shares: parts.length, remote: true, ...others });
    return manager;
  } finally {
    for (const part of parts) part.fill(0);
  }
}
