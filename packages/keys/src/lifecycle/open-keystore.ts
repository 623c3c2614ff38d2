import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { KeysError } from '../keys-error.ts';
import { createKeystoreFile, DEFAULT_ARGON2, openKeystoreFile, rewrapStoreKey, saveKeystoreFile } from '../local/keystore-file.ts';
import { deserializeState, emptyState, serializeState } from '../local/keystore-state.ts';
import { checkCustodians, checkPrincipal } from './dual-control.ts';
import { KeyManager, type KeyManagerOptions } from './key-manager.ts';
import { combineRecoveryShares, splitRecoveryKey } from './recovery-shares.ts';

export interface InitKeystoreOptions extends KeyManagerOptions {
  readonly actor: string;
  /** Principal ids of the key custodians (N) and how many must approve (M). */
  readonly custodians: readonly string[];
  readonly threshold: number;
}

/**
 * Creates a keystore file (fails with `keystore-exists` if there is one) and splits its recovery
 * key into one Shamir share per custodian, `threshold` of which recover it. Hand each share to
 * its custodian; they are returned once and stored nowhere.
 */
export async function initKeystore(options: InitKeystoreOptions): Promise<{ manager: KeyManager; recoveryShares: string[] }> {
  checkPrincipal(options.actor, 'actor');
  checkCustodians(options.custodians, options.threshold);
  const exists = await stat(options.file).then(
    () => true,
    () => false,
  );
  if (exists) throw new KeysError('keystore-exists', 'a keystore already exists here', { place: { file: options.file } });
  const state = emptyState(options.custodians, options.threshold);
  const recoveryKey = randomBytes(32);
  const shareCount = Math.max(2, options.custodians.length);
  const shareThreshold = Math.max(2, options.threshold);
  const recoveryShares = await splitRecoveryKey(recoveryKey, shareCount, shareThreshold);
  const bytes = serializeState(state);
  const created = await createKeystoreFile(options.file, options.unlock, bytes, { key: recoveryKey, threshold: shareThreshold, shares: shareCount }, options.argon2 ?? DEFAULT_ARGON2);
  bytes.fill(0);
  recoveryKey.fill(0);
  const manager = new KeyManager(options, created.content, created.storeKey, state);
  await manager.recordEvent(options.actor, 'key.recovery-split', [], { shares: shareCount, threshold: shareThreshold, custodians: options.custodians.length });
  return { manager, recoveryShares };
}

/** Opens an existing keystore. */
export async function openKeyManager(options: KeyManagerOptions): Promise<KeyManager> {
  const opened = await openKeystoreFile(options.file, options.unlock);
  const state = deserializeState(opened.state);
  opened.state.fill(0);
  return new KeyManager(options, opened.content, opened.storeKey, state);
}

/**
 * Recovers a keystore whose passphrase or key file was lost: M custodians' shares rebuild the
 * recovery key, which opens the store key; the store key is then wrapped under `newUnlock`.
 */
export async function recoverKeystore(options: KeyManagerOptions & { readonly shares: readonly string[]; readonly actor: string }): Promise<KeyManager> {
  checkPrincipal(options.actor, 'actor');
  const recoveryKey = await combineRecoveryShares(options.shares);
  const opened = await openKeystoreFile(options.file, { kind: 'recovery-key', key: recoveryKey });
  recoveryKey.fill(0);
  const content = await rewrapStoreKey(opened.content, opened.storeKey, options.unlock, options.argon2 ?? DEFAULT_ARGON2);
  const saved = await saveKeystoreFile(options.file, content, opened.storeKey, opened.state);
  const state = deserializeState(opened.state);
  opened.state.fill(0);
  const manager = new KeyManager(options, saved, opened.storeKey, state);
  await manager.recordEvent(options.actor, 'key.recover', [], { shares: options.shares.length });
  return manager;
}

