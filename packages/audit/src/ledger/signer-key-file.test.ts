import { chmodSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ManualClock } from '@phiguard/core';
import { describe, expect, it } from 'vitest';
import { formatCheckpoint } from '../checkpoint/checkpoint.ts';
import { openNote, parseVerifierKey } from '../checkpoint/signed-note.ts';
import { LedgerError } from './ledger-error.ts';
import {
  beginSignerRotation,
  checkpointSigner,
  finishSignerRotation,
  loadOrCreateSignerKeys,
  readTrustedVerifierKeys,
  SIGNER_KEY_FILE,
  VERIFIER_KEYS_FILE,
} from './signer-key-file.ts';

const ORIGIN = 'keys.phiguard/audit';
const body = formatCheckpoint({ origin: ORIGIN, size: 3, root: Buffer.alloc(32, 7) });
const freshHome = (): string => path.join(mkdtempSync(path.join(tmpdir(), 'ledger-keys-')), 'home');

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('ledger signer key file', () => {
  it('is created on first use with mode 0600, reused after, and its public key recorded', () => {
    const home = freshHome();
    const a = loadOrCreateSignerKeys(home, ORIGIN);
    const file = path.join(home, SIGNER_KEY_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toMatch(/^PRIVATE\+KEY\+keys\.phiguard\/audit\+[0-9a-f]{8}\+/);
    const b = loadOrCreateSignerKeys(home, ORIGIN);
    expect(b.verifierKey).toBe(a.verifierKey);
    expect(readTrustedVerifierKeys(home)).toEqual([a.verifierKey]);
    const note = checkpointSigner(a).sign(body);
    expect(openNote(note, [parseVerifierKey(a.verifierKey)]).text).toBe(body);
  });

  it('refuses a key file others can read, and a malformed one, without echoing the key', () => {
    const home = freshHome();
    loadOrCreateSignerKeys(home, ORIGIN);
    const file = path.join(home, SIGNER_KEY_FILE);
    const secret = readFileSync(file, 'utf8').trim();
    chmodSync(file, 0o640);
    const loose = caught(() => loadOrCreateSignerKeys(home, ORIGIN)) as LedgerError;
    expect(loose).toBeInstanceOf(LedgerError);
    expect(loose.code).toBe('key');
    expect(loose.hint).toContain('chmod 600');
    expect(`${loose.message}${loose.describe()}`).not.toContain(secret);
    chmodSync(file, 0o600);
    writeFileSync(file, 'PRIVATE+KEY+oops\n');
    const bad = caught(() => loadOrCreateSignerKeys(home, ORIGIN)) as LedgerError;
    expect(bad.code).toBe('key');
    expect(bad.describe()).not.toContain('oops');
  });

  it('rotates: the hand-over checkpoint is signed by old and new keys, then only the new key signs', () => {
    const home = freshHome();
    const old = loadOrCreateSignerKeys(home, ORIGIN);
    const oldSecret = readFileSync(path.join(home, SIGNER_KEY_FILE), 'utf8');
    const { handover, next } = beginSignerRotation(home, ORIGIN, new ManualClock(0));
    expect(next.verifierKey).not.toBe(old.verifierKey);
    const note = handover.sign(body);
    expect(openNote(note, [parseVerifierKey(old.verifierKey)]).verified).toHaveLength(1);
    expect(openNote(note, [parseVerifierKey(next.verifierKey)]).verified).toHaveLength(1);
    // A crash before the last step keeps the old key in force.
    expect(loadOrCreateSignerKeys(home, ORIGIN).verifierKey).toBe(old.verifierKey);
    const again = beginSignerRotation(home, ORIGIN, new ManualClock(0));
    finishSignerRotation(home);
    const after = loadOrCreateSignerKeys(home, ORIGIN);
    expect(after.verifierKey).toBe(again.next.verifierKey);
    expect(after.trusted).toEqual([old.verifierKey, next.verifierKey, again.next.verifierKey]);
    expect(statSync(path.join(home, SIGNER_KEY_FILE)).mode & 0o777).toBe(0o600);
    const later = checkpointSigner(after).sign(body);
    expect(() => openNote(later, [parseVerifierKey(old.verifierKey)])).toThrow(/trusted key/);
    // The retired private key is gone from the home folder.
    for (const name of readdirSync(home)) expect(readFileSync(path.join(home, name), 'utf8')).not.toContain(oldSecret.trim());
    expect(readFileSync(path.join(home, VERIFIER_KEYS_FILE), 'utf8').split('\n').filter(Boolean)).toHaveLength(3);
  });
});
