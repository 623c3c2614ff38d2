import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { hashRaw, type Options as Argon2Options } from '@node-rs/argon2';
import { KeysError } from '../keys-error.ts';
import { writeFileAtomic } from '@phiguard/core';

/** How the master key is obtained: argon2id over a passphrase, or 32 raw bytes from a key file. */
export type KeystoreUnlock =
  | { readonly kind: 'passphrase'; readonly passphrase: string }
  | { readonly kind: 'key-file'; readonly path: string }
  | { readonly kind: 'recovery-key'; readonly key: Uint8Array };

/** argon2id cost (RFC 9106 §4: second recommended option is m=64 MiB, t=3, p=4; we use p=1 for one core). */
export interface Argon2Params {
  readonly memoryKiB: number;
  readonly iterations: number;
  readonly parallelism: number;
}
export const DEFAULT_ARGON2: Argon2Params = Object.freeze({ memoryKiB: 65536, iterations: 3, parallelism: 1 });

type MasterSpec = { readonly kdf: 'argon2id'; readonly salt: string; readonly m: number; readonly t: number; readonly p: number } | { readonly kdf: 'key-file' };

/** The on-disk keystore (docs/keys.md "Keystore file"): JSON, mode 0600, everything secret sealed. */
export interface KeystoreFile {
  readonly format: 'phiguard-keystore';
  readonly v: 1;
  readonly master: MasterSpec;
  /** The store key, AES-256-GCM-wrapped under the master key. */
  readonly storeKeyWrap: string;
  /** The store key wrapped under the recovery key, whose Shamir shares the custodians hold. */
  readonly recovery: { readonly threshold: number; readonly shares: number; readonly storeKeyWrap: string } | null;
  /** The key state (KEKs, custodians, requests) sealed under the store key. */
  readonly state: string;
}

const AAD_STORE_KEY = Buffer.from('phiguard-keystore-v1 store-key');
const AAD_RECOVERY = Buffer.from('phiguard-keystore-v1 recovery');
const AAD_STATE = Buffer.from('phiguard-keystore-v1 state');

export function seal(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: 16 });
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

export function open(key: Buffer, sealed: Buffer, aad: Buffer): Buffer | undefined {
  if (sealed.length < 28) return undefined;
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12), { authTagLength: 16 });
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  const out = decipher.update(sealed.subarray(12, sealed.length - 16));
  try {
    decipher.final();
  } catch {
    out.fill(0);
    return undefined;
  }
  return out;
}

async function masterKey(spec: MasterSpec, unlock: KeystoreUnlock): Promise<Buffer> {
  if (unlock.kind === 'recovery-key') throw new TypeError('a recovery key opens the recovery wrap, not the master wrap');
  if (spec.kdf === 'argon2id') {
    if (unlock.kind !== 'passphrase') throw new KeysError('keystore-locked', 'this keystore is unlocked with a passphrase', { hint: 'set PHIGUARD_KEYS_PASSPHRASE' });
    const options: Argon2Options = {
      salt: Buffer.from(spec.salt, 'base64'),
      memoryCost: spec.m,
      timeCost: spec.t,
      parallelism: spec.p,
      outputLen: 32,
      // Algorithm.Argon2id = 2: a const enum that type stripping (erasableSyntaxOnly) cannot inline.
      // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment
      algorithm: 2,
    };
    return hashRaw(unlock.passphrase, options);
  }
  if (unlock.kind !== 'key-file') throw new KeysError('keystore-locked', 'this keystore is unlocked with a key file', { hint: 'pass --key-file' });
  return readKeyFile(unlock.path);
}

/** A key file holds 32 random bytes, raw or as 64 hex digits. It must not be readable by others. */
export async function readKeyFile(file: string): Promise<Buffer> {
  const info = await stat(file);
  if ((info.mode & 0o077) !== 0) throw new KeysError('keystore-locked', 'key file is readable by group or others', { place: { file }, hint: 'chmod 600 the key file' });
  const raw = await readFile(file);
  if (raw.length === 32) return raw;
  const text = raw.toString('ascii').trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  throw new KeysError('keystore-locked', 'key file must hold 32 bytes (raw or 64 hex digits)', { place: { file } });
}

/** Writes a new keystore file. Returns the store key (the caller keeps it in memory). */
export async function createKeystoreFile(
  file: string,
  unlock: KeystoreUnlock,
  state: Buffer,
  recovery: { readonly key: Buffer; readonly threshold: number; readonly shares: number } | null,
  argon2: Argon2Params = DEFAULT_ARGON2,
): Promise<{ storeKey: Buffer; content: KeystoreFile }> {
  const spec: MasterSpec =
    unlock.kind === 'passphrase'
      ? { kdf: 'argon2id', salt: randomBytes(16).toString('base64'), m: argon2.memoryKiB, t: argon2.iterations, p: argon2.parallelism }
      : { kdf: 'key-file' };
  const master = await masterKey(spec, unlock);
  const storeKey = randomBytes(32);
  const content: KeystoreFile = {
    format: 'phiguard-keystore',
    v: 1,
    master: spec,
    storeKeyWrap: seal(master, storeKey, AAD_STORE_KEY).toString('base64'),
    recovery:
      recovery === null
        ? null
        : { threshold: recovery.threshold, shares: recovery.shares, storeKeyWrap: seal(recovery.key, storeKey, AAD_RECOVERY).toString('base64') },
    state: seal(storeKey, state, AAD_STATE).toString('base64'),
  };
  master.fill(0);
  await writeFileAtomic(file, `${JSON.stringify(content, null, 2)}\n`);
  return { storeKey, content };
}

export async function readKeystoreFile(file: string): Promise<KeystoreFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new KeysError('keystore-missing', 'no keystore here', { cause: error, place: { file }, hint: 'run `phiguard keys init` first' });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new KeysError('keystore-corrupt', 'keystore file is not JSON', { cause: error, place: { file } });
  }
  const f = parsed as Partial<KeystoreFile> | null;
  if (f === null || typeof f !== 'object' || f.format !== 'phiguard-keystore' || f.v !== 1 || typeof f.storeKeyWrap !== 'string' || typeof f.state !== 'string' || typeof f.master !== 'object') {
    throw new KeysError('keystore-corrupt', 'not a PHIGuard keystore file', { place: { file } });
  }
  return f as KeystoreFile;
}

/** Opens a keystore: returns its store key and the decrypted state. */
export async function openKeystoreFile(file: string, unlock: KeystoreUnlock): Promise<{ storeKey: Buffer; state: Buffer; content: KeystoreFile }> {
  const content = await readKeystoreFile(file);
  let storeKey: Buffer | undefined;
  if (unlock.kind === 'recovery-key') {
    if (content.recovery === null) throw new KeysError('recovery-failed', 'this keystore has no recovery key', { place: { file } });
    storeKey = open(Buffer.from(unlock.key), Buffer.from(content.recovery.storeKeyWrap, 'base64'), AAD_RECOVERY);
    if (storeKey === undefined) throw new KeysError('recovery-failed', 'recovery shares do not open this keystore', { place: { file } });
  } else {
    const master = await masterKey(content.master, unlock);
    storeKey = open(master, Buffer.from(content.storeKeyWrap, 'base64'), AAD_STORE_KEY);
    master.fill(0);
    if (storeKey === undefined) throw new KeysError('keystore-locked', 'wrong passphrase or key file', { place: { file } });
  }
  const state = open(storeKey, Buffer.from(content.state, 'base64'), AAD_STATE);
  if (state === undefined) throw new KeysError('keystore-corrupt', 'keystore state failed authentication', { place: { file } });
  return { storeKey, state, content };
}

/** The state of a keystore file already opened once (same store key), e.g. after another process saved. */
export function openState(storeKey: Buffer, content: KeystoreFile, file: string): Buffer {
  const state = open(storeKey, Buffer.from(content.state, 'base64'), AAD_STATE);
  if (state === undefined) throw new KeysError('keystore-corrupt', 'keystore state failed authentication', { place: { file } });
  return state;
}

/** Re-seals the state (fresh nonce) and replaces the file atomically; `master` and `recovery` may change. */
export async function saveKeystoreFile(file: string, content: KeystoreFile, storeKey: Buffer, state: Buffer): Promise<KeystoreFile> {
  const next: KeystoreFile = { ...content, state: seal(storeKey, state, AAD_STATE).toString('base64') };
  await writeFileAtomic(file, `${JSON.stringify(next, null, 2)}\n`);
  return next;
}

/** A new master wrap for the same store key (after recovery, or to change the passphrase). */
export async function rewrapStoreKey(content: KeystoreFile, storeKey: Buffer, unlock: KeystoreUnlock, argon2: Argon2Params = DEFAULT_ARGON2): Promise<KeystoreFile> {
  const spec: MasterSpec =
    unlock.kind === 'passphrase'
      ? { kdf: 'argon2id', salt: randomBytes(16).toString('base64'), m: argon2.memoryKiB, t: argon2.iterations, p: argon2.parallelism }
      : { kdf: 'key-file' };
  const master = await masterKey(spec, unlock);
  const next = { ...content, master: spec, storeKeyWrap: seal(master, storeKey, AAD_STORE_KEY).toString('base64') };
  master.fill(0);
  return next;
}
