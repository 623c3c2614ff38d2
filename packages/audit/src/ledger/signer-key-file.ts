// The log signer key (Ed25519, C2SP signed-note) kept in a 0600 file under the data home. Key
// management proper (KeyProvider, HSMs) lives in packages/keys; this stays small on purpose and
// is reached only through the CheckpointSigner port.
import { constants, closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Clock } from '@phiguard/core';
import { CheckpointKeyring } from '../checkpoint/checkpoint-keyring.ts';
import { generateSignerKey, parseSignerKey, parseVerifierKey, signNote, type NoteSigner } from '../checkpoint/signed-note.ts';
import type { CheckpointSigner } from './checkpoint-signer.ts';
import { LedgerError } from './ledger-error.ts';

/** `<home>/ledger-signer.key`: the current signer key, mode 0600. */
export const SIGNER_KEY_FILE = 'ledger-signer.key';
/** `<home>/ledger-verifiers.pub`: every verifier key the log has used, oldest first, one per line. */
export const VERIFIER_KEYS_FILE = 'ledger-verifiers.pub';
const NEXT_SUFFIX = '.next';

/** The signer of a ledger home: the key that signs now and every verifier key it trusts. */
export interface SignerKeys {
  /** The verifier key of the current signer (what `phiguard audit public-key` prints). */
  readonly verifierKey: string;
  /** All verifier keys ever used by this log, current last. */
  readonly trusted: readonly string[];
  readonly signers: readonly NoteSigner[];
}

/** A {@link CheckpointSigner} that signs with `keys.signers` and trusts `keys.trusted`. */
export function checkpointSigner(keys: SignerKeys): CheckpointSigner {
  return Object.freeze({
    sign: (body: string) => signNote(body, keys.signers),
    verifierKeys: Object.freeze([...keys.trusted]),
  });
}

/**
 * Loads the signer key of `home`, creating it on first use (key name = the checkpoint origin).
 * Refuses a key file that group or others can read (`key`), as ssh does.
 */
export function loadOrCreateSignerKeys(home: string, origin: string): SignerKeys {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const file = path.join(home, SIGNER_KEY_FILE);
  // A rotation that died before its last step leaves a .next key; the current key stays valid.
  rmSync(file + NEXT_SUFFIX, { force: true });
  let text: string;
  try {
    text = readKeyFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const fresh = generateSignerKey(origin);
    appendLine(path.join(home, VERIFIER_KEYS_FILE), fresh.verifierKey);
    writeSecretFile(file, fresh.signerKey);
    text = fresh.signerKey;
  }
  return keysFrom(home, text);
}

/** The verifier keys recorded under `home` (empty when there are none). */
export function readTrustedVerifierKeys(home: string): string[] {
  try {
    return readFileSync(path.join(home, VERIFIER_KEYS_FILE), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/**
 * Step 1 of a rotation: makes the next key, trusts it, and returns the signer of the hand-over
 * checkpoint: a {@link CheckpointKeyring} rotated from the current key to the next, so that
 * checkpoint carries both signatures (C2SP tlog-checkpoint: verifiers ignore unknown signatures,
 * which is what makes rotation possible). Call {@link finishSignerRotation} once it is committed.
 */
export function beginSignerRotation(home: string, origin: string, clock: Clock): { readonly handover: CheckpointSigner; readonly next: SignerKeys } {
  const current = loadOrCreateSignerKeys(home, origin);
  const fresh = generateSignerKey(origin);
  appendLine(path.join(home, VERIFIER_KEYS_FILE), fresh.verifierKey);
  writeSecretFile(path.join(home, SIGNER_KEY_FILE + NEXT_SUFFIX), fresh.signerKey);
  const next = keysFrom(home, fresh.signerKey);
  const keyring = new CheckpointKeyring({ clock, current: current.signers[0] as NoteSigner });
  keyring.rotate(next.signers[0]);
  return { handover: keyring, next };
}

/** Step 2 of a rotation: the new key replaces the old one (atomic rename); the old private key is gone. */
export function finishSignerRotation(home: string): void {
  const file = path.join(home, SIGNER_KEY_FILE);
  renameSync(file + NEXT_SUFFIX, file);
  fsyncDir(home);
}

function keysFrom(home: string, signerKeyText: string): SignerKeys {
  let signer: NoteSigner;
  try {
    signer = parseSignerKey(signerKeyText);
  } catch (cause) {
    throw new LedgerError('key', 'the ledger signer key file is malformed', { cause, place: { file: path.join(home, SIGNER_KEY_FILE) } });
  }
  const trusted = readTrustedVerifierKeys(home).filter((k) => k !== signer.verifierKey);
  for (const k of trusted) parseVerifierKey(k);
  return Object.freeze({ verifierKey: signer.verifierKey, trusted: Object.freeze([...trusted, signer.verifierKey]), signers: Object.freeze([signer]) });
}

function readKeyFile(file: string): string {
  const mode = statSync(file).mode;
  if ((mode & 0o077) !== 0) {
    throw new LedgerError('key', 'the ledger signer key file is readable by other users', {
      place: { file },
      hint: `run: chmod 600 ${file}`,
    });
  }
  return readFileSync(file, 'utf8').trim();
}

function writeSecretFile(file: string, text: string): void {
  const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    writeSync(fd, `${text}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  fsyncDir(path.dirname(file));
}

function appendLine(file: string, line: string): void {
  const fd = openSync(file, 'a', 0o644);
  try {
    writeSync(fd, `${line}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
