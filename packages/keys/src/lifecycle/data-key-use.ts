import type { AuditActor, AuditEventInput, PurposeOfUse } from '@phiguard/audit';
import { isBaseError } from '@phiguard/core';
import type { DataKey, WrappedDataKey } from '../key-provider.ts';
import type { KeyManager } from './key-manager.ts';

/** Who asks for a data key and why: the authenticated caller, the stated purpose, the request id (all ledgered). */
export interface DataKeyCaller {
  readonly actor: AuditActor;
  readonly purpose?: PurposeOfUse;
  readonly requestId?: string;
}

/**
 * Issues a fresh data key under the newest version of `keyId`: the plaintext DEK (for the caller
 * to seal with on its own machine, then zero) and its wrap to store in the envelope header. Like
 * AWS KMS GenerateDataKey. Success or failure is a `key.generate-data-key` ledger entry naming the
 * key and version, never key material.
 */
export async function issueDataKey(manager: KeyManager, caller: DataKeyCaller, keyId: string): Promise<DataKey> {
  let dataKey: DataKey;
  try {
    dataKey = await manager.provider.generateDataKey(keyId);
  } catch (error) {
    await manager.record(event(caller, 'key.generate-data-key', keyId, undefined, error));
    throw error;
  }
  try {
    await manager.record(event(caller, 'key.generate-data-key', keyId, dataKey.wrapped.version, undefined));
  } catch (error) {
    // Not recorded, not released.
    dataKey.plaintext.fill(0);
    throw error;
  }
  return dataKey;
}

/**
 * Unwraps a data key from an envelope header for a caller that unseals on its own machine (KMS
 * Decrypt). A destroyed, disabled or below-minimum key version is refused by the provider with its
 * typed code; every attempt is a `key.decrypt-data-key` ledger entry. The caller zeroes the result.
 */
export async function decryptDataKey(manager: KeyManager, caller: DataKeyCaller, wrapped: WrappedDataKey): Promise<Buffer> {
  let plaintext: Buffer;
  try {
    plaintext = await manager.provider.unwrapDataKey(wrapped);
  } catch (error) {
    await manager.record(event(caller, 'key.decrypt-data-key', wrapped.keyId, wrapped.version, error));
    throw error;
  }
  try {
    await manager.record(event(caller, 'key.decrypt-data-key', wrapped.keyId, wrapped.version, undefined));
  } catch (error) {
    plaintext.fill(0);
    throw error;
  }
  return plaintext;
}

function event(caller: DataKeyCaller, action: string, keyId: string, version: number | undefined, error: unknown): AuditEventInput {
  return {
    actor: caller.actor,
    action,
    outcome: error === undefined ? 'success' : 'failure',
    resources: [{ type: 'key', id: keyId }],
    ...(version === undefined ? {} : { details: { version } }),
    ...(error === undefined ? {} : { reason: isBaseError(error) ? error.code : 'provider-error' }),
    ...(caller.purpose === undefined ? {} : { purpose: caller.purpose }),
    ...(caller.requestId === undefined ? {} : { requestId: caller.requestId }),
  };
}
