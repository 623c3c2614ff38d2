// Ed25519 keys of C2SP signed-note ("Signatures", "Ed25519 signatures"), in the text forms of
// golang.org/x/mod/sumdb/note: verifier `name+hash+base64(0x01 || pub)` and signer
// `PRIVATE+KEY+name+hash+base64(0x01 || seed)`, hash = hex key ID.
import { createHash, createPrivateKey, createPublicKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { MerkleLogError } from '../merkle/merkle-log-error.ts';
import { decodeBase64Strict } from './base64.ts';

/** Signature type identifier byte of Ed25519 (C2SP signed-note "Signature types"). */
export const ED25519_TYPE = 0x01;

/** A key that signs notes. Holds the private key: keep it inside the process that signs. */
export interface NoteSigner {
  readonly name: string;
  /** uint32 key ID (signed-note: first 4 bytes of SHA-256(name || 0x0A || 0x01 || pub)). */
  readonly keyId: number;
  /** The verifier key text that checks this signer's signatures. */
  readonly verifierKey: string;
  sign(message: Uint8Array): Buffer;
}

/** A trusted public key that checks note signatures. */
export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  /** The verifier key text this was parsed from. */
  readonly verifierKey: string;
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');

/** Key names are non-empty, without Unicode spaces or `+` (C2SP signed-note "Format"). */
export function isValidKeyName(name: string): boolean {
  // JS \s covers the Unicode spaces Go's unicode.IsSpace knows, except U+0085 (NEL).
  return name.length > 0 && name.isWellFormed() && !/[\s+\u0085]/u.test(name) && !/[\u0000-\u001f]/u.test(name);
}

/** key ID = SHA-256(key name || 0x0A || 0x01 || 32-byte public key)[:4], big-endian. */
export function ed25519KeyId(name: string, publicKey: Uint8Array): number {
  const digest = createHash('sha256').update(name, 'utf8').update(Buffer.from([0x0a, ED25519_TYPE])).update(publicKey).digest();
  return digest.readUInt32BE(0);
}

function hex8(id: number): string {
  return id.toString(16).padStart(8, '0');
}

function badKey(what: string): MerkleLogError {
  // The message never echoes the key text (a signer key is a secret).
  return new MerkleLogError('malformed-key', `note key text ${what}`, { hint: 'use the exact text printed when the key was generated' });
}

function ed25519Private(seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' });
}

function rawPublic(privateKey: KeyObject): Buffer {
  return createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(-32);
}

function makeVerifier(name: string, publicKey: Buffer): NoteVerifier {
  const keyId = ed25519KeyId(name, publicKey);
  const key = createPublicKey({ key: Buffer.concat([SPKI_ED25519, publicKey]), format: 'der', type: 'spki' });
  const verifierKey = `${name}+${hex8(keyId)}+${Buffer.concat([Buffer.from([ED25519_TYPE]), publicKey]).toString('base64')}`;
  return Object.freeze({
    name,
    keyId,
    verifierKey,
    verify: (message: Uint8Array, signature: Uint8Array) => signature.length === 64 && verify(null, message, key, signature),
  });
}

/** Splits `name+hash+base64`: the name holds no `+`, the hash is 8 characters, base64 may hold `+`. */
function splitKey(text: string, what: string): [string, string, string] {
  const plus = text.indexOf('+');
  if (plus < 0 || text[plus + 9] !== '+') throw badKey(`is not a ${what}`);
  return [text.slice(0, plus), text.slice(plus + 1, plus + 9), text.slice(plus + 10)];
}

function keyBytes(name: string, hash: string, b64: string): Buffer {
  if (!isValidKeyName(name)) throw badKey('has an invalid key name');
  if (!/^[0-9a-f]{8}$/.test(hash)) throw badKey('has a key hash that is not 8 lower-case hex digits');
  const bytes = decodeBase64Strict(b64);
  if (bytes?.length !== 33) throw badKey('has key material that is not base64 of 33 bytes');
  if (bytes[0] !== ED25519_TYPE) throw badKey('is not an Ed25519 (type 0x01) key');
  return bytes.subarray(1);
}

/** Parses `name+hash+base64(0x01 || pub)`; the hash must match the key (signed-note key ID). */
export function parseVerifierKey(text: string): NoteVerifier {
  const [name, hash, b64] = splitKey(text, 'verifier key (name+hash+key)');
  const verifier = makeVerifier(name, keyBytes(name, hash, b64));
  if (hex8(verifier.keyId) !== hash) throw badKey('has a key hash that does not match its key');
  return verifier;
}

/** Parses `PRIVATE+KEY+name+hash+base64(0x01 || seed)`; the hash must match the derived public key. */
export function parseSignerKey(text: string): NoteSigner {
  if (!text.startsWith('PRIVATE+KEY+')) throw badKey('does not start with PRIVATE+KEY+');
  const [name, hash, b64] = splitKey(text.slice('PRIVATE+KEY+'.length), 'signer key (PRIVATE+KEY+name+hash+key)');
  const privateKey = ed25519Private(keyBytes(name, hash, b64));
  const verifier = makeVerifier(name, rawPublic(privateKey));
  if (hex8(verifier.keyId) !== hash) throw badKey('has a key hash that does not match its key');
  return Object.freeze({
    name,
    keyId: verifier.keyId,
    verifierKey: verifier.verifierKey,
    sign: (message: Uint8Array) => sign(null, message, privateKey),
  });
}

/** A new random Ed25519 note key named `name`: the signer key text (secret) and the verifier key text (public). */
export function generateSignerKey(name: string, seed: Uint8Array = randomBytes(32)): { signerKey: string; verifierKey: string } {
  if (!isValidKeyName(name)) throw new TypeError('note key names are non-empty, without spaces or +');
  if (seed.length !== 32) throw new TypeError('an Ed25519 seed is 32 bytes');
  const publicKey = rawPublic(ed25519Private(seed));
  const keyId = ed25519KeyId(name, publicKey);
  const material = (b: Uint8Array): string => Buffer.concat([Buffer.from([ED25519_TYPE]), b]).toString('base64');
  return {
    signerKey: `PRIVATE+KEY+${name}+${hex8(keyId)}+${material(seed)}`,
    verifierKey: `${name}+${hex8(keyId)}+${material(publicKey)}`,
  };
}
