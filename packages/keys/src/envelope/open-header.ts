import type { KeyObject } from 'node:crypto';
import { isBaseError } from '@phiguard/core';
import { KeysError, type KeysErrorCode } from '../keys-error.ts';
import type { KeyProvider } from '../key-provider.ts';
import type { EncryptionContext } from './encryption-context.ts';
import type { EnvelopeHeader } from './envelope-header.ts';
import { commitmentMatches, deriveMessageKeys, headerTagValid, messageKeyObject } from './message-keys.ts';

/** What an unseal needs: the providers it may ask, and optionally context pairs the header must carry. */
export interface UnsealOptions {
  readonly providers: readonly KeyProvider[];
  /** Every pair here must be in the header's encryption context, or unsealing fails with `context-mismatch`. */
  readonly expectContext?: EncryptionContext;
}

/**
 * Unwraps the DEK with the first provider that can, checks the key commitment (§4) and the header
 * tag (§2.2), and returns the per-message key. The DEK is zeroed before returning.
 */
export async function openHeader(header: EnvelopeHeader, options: UnsealOptions): Promise<KeyObject> {
  for (const [field, value] of Object.entries(options.expectContext ?? {})) {
    if (header.context[field] !== value) throw new KeysError('context-mismatch', 'encryption context differs from the expected one', { place: { field } });
  }
  const failures: KeysErrorCode[] = [];
  let lastCause: unknown;
  for (const [index, wrapped] of header.wrappedKeys.entries()) {
    for (const provider of options.providers) {
      if (provider.id !== wrapped.provider) continue;
      let dataKey: Buffer;
      try {
        dataKey = await provider.unwrapDataKey(wrapped);
      } catch (error) {
        lastCause = error;
        failures.push(isBaseError(error) && isKeysCode(error.code) ? error.code : 'provider-error');
        continue;
      }
      const { key, commitment } = deriveMessageKeys(dataKey, header.messageId);
      dataKey.fill(0);
      if (!commitmentMatches(commitment, header.commitment)) {
        key.fill(0);
        failures.push('commitment-mismatch');
        lastCause = new KeysError('commitment-mismatch', 'data key does not match the key commitment', { place: { index } });
        continue;
      }
      if (!headerTagValid(key, header.body, header.tag)) {
        key.fill(0);
        throw new KeysError('header-auth-failed', 'envelope header failed authentication', { place: { field: 'header' } });
      }
      return messageKeyObject(key);
    }
  }
  if (failures.length > 0 && failures.every((f) => f === 'commitment-mismatch')) {
    throw new KeysError('commitment-mismatch', 'data key does not match the key commitment', { place: { field: 'commitment' } });
  }
  throw new KeysError('no-usable-key', 'no provider could unwrap a data key of this envelope', {
    cause: lastCause,
    place: { field: 'keys' },
    hint: failures.length === 0 ? 'configure the key provider named in the envelope header' : `provider refused: ${[...new Set(failures)].join(', ')}`,
  });
}

function isKeysCode(code: string): code is KeysErrorCode {
  return /^[a-z-]+$/.test(code);
}
