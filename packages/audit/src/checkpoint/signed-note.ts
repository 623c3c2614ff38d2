// C2SP signed-note: text ending in a newline, a blank line, then signature lines
// `— <name> base64(uint32 key ID || signature)`. Verification follows the spec's
// "Signatures" section (and golang.org/x/mod/sumdb/note Open): unknown keys are ignored,
// a failing signature by a known key rejects the note, no verified known key rejects it.
import { MerkleLogError } from '../merkle/merkle-log-error.ts';
import { decodeBase64Strict } from './base64.ts';
import { isValidKeyName, type NoteSigner, type NoteVerifier } from './note-keys.ts';

export { generateSignerKey, parseSignerKey, parseVerifierKey, type NoteSigner, type NoteVerifier } from './note-keys.ts';

const SIG_PREFIX = '\u2014 ';
/** More signatures than this make a note malformed (the spec requires accepting at least 16). */
export const MAX_NOTE_SIGNATURES = 100;

/** A signature line: who signed (name, key ID). */
export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
}

/** An opened note: its text (only to be trusted because `verified` is not empty) and who signed it. */
export interface OpenedNote {
  readonly text: string;
  readonly verified: readonly NoteSignature[];
  /** Signatures by keys that are not in the verifier list (ignored, per the spec). */
  readonly unknown: readonly NoteSignature[];
}

function malformed(what: string, line?: number): MerkleLogError {
  return new MerkleLogError('malformed-note', `signed note ${what}`, line === undefined ? {} : { place: { line } });
}

/** UTF-8 with no ASCII control characters but newline (signed-note "Format"). Returns the 1-based bad line or 0. */
function badCharacterLine(text: string): number {
  if (!text.isWellFormed()) return 1;
  const bad = /[\u0000-\u0009\u000b-\u001f]/u.exec(text);
  if (bad === null) return 0;
  return text.slice(0, bad.index).split('\n').length;
}

function checkText(text: string): void {
  if (text.length === 0 || !text.endsWith('\n')) throw new TypeError('note text must end with a newline');
  if (badCharacterLine(text) !== 0) throw new TypeError('note text must be well-formed UTF-8 without control characters other than newline');
}

/** Signs `text` (which must end in a newline) with every signer, in order, and returns the note. */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  checkText(text);
  if (signers.length === 0) throw new TypeError('signNote needs at least one signer');
  const message = Buffer.from(text, 'utf8');
  const lines = signers.map((s) => {
    const id = Buffer.alloc(4);
    id.writeUInt32BE(s.keyId);
    return `${SIG_PREFIX}${s.name} ${Buffer.concat([id, s.sign(message)]).toString('base64')}\n`;
  });
  return `${text}\n${lines.join('')}`;
}

/** Splits a note into text and parsed signature lines without checking any signature. */
export function parseNote(note: string | Uint8Array): { text: string; signatures: (NoteSignature & { signature: Buffer; line: string })[] } {
  let msg: string;
  if (typeof note === 'string') {
    msg = note;
  } else {
    try {
      msg = new TextDecoder('utf-8', { fatal: true }).decode(note);
    } catch {
      throw malformed('is not valid UTF-8');
    }
  }
  const badLine = badCharacterLine(msg);
  if (badLine !== 0) throw malformed('has a control character or invalid UTF-8', badLine);
  const split = msg.lastIndexOf('\n\n');
  if (split < 0) throw malformed('has no blank line before its signatures');
  const text = msg.slice(0, split + 1);
  const block = msg.slice(split + 2);
  if (block.length === 0 || !block.endsWith('\n')) throw malformed('has no signature lines ending in a newline');
  const firstLine = text.split('\n').length + 1;
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) throw malformed(`has more than ${MAX_NOTE_SIGNATURES} signatures`);
  const signatures = lines.map((line, i) => {
    const lineNo = firstLine + i;
    if (!line.startsWith(SIG_PREFIX)) throw malformed('has a signature line that does not start with an em dash and a space', lineNo);
    const rest = line.slice(SIG_PREFIX.length);
    const space = rest.indexOf(' ');
    const name = space < 0 ? rest : rest.slice(0, space);
    const b64 = space < 0 ? '' : rest.slice(space + 1);
    const bytes = decodeBase64Strict(b64);
    if (!isValidKeyName(name) || b64 === '' || bytes === undefined || bytes.length < 5) {
      throw malformed('has a malformed signature line', lineNo);
    }
    return { name, keyId: bytes.readUInt32BE(0), signature: bytes.subarray(4), line };
  });
  return { text, signatures };
}

/**
 * Opens a signed note: returns its text and the known keys that signed it. Throws
 * `malformed-note`, `bad-signature` (a known key's signature fails: the note was altered) or
 * `unverified-note` (no signature by a known key).
 */
export function openNote(note: string | Uint8Array, verifiers: readonly NoteVerifier[]): OpenedNote {
  const { text, signatures } = parseNote(note);
  const message = Buffer.from(text, 'utf8');
  const known = new Map(verifiers.map((v) => [`${v.name}\u0000${v.keyId}`, v]));
  const verified: NoteSignature[] = [];
  const unknown: NoteSignature[] = [];
  const seen = new Set<string>();
  for (const sig of signatures) {
    const key = `${sig.name}\u0000${sig.keyId}`;
    const verifier = known.get(key);
    if (verifier === undefined) {
      if (!seen.has(sig.line)) unknown.push({ name: sig.name, keyId: sig.keyId });
      seen.add(sig.line);
      continue;
    }
    if (seen.has(key)) continue; // repeated signatures by one key count once
    seen.add(key);
    if (!verifier.verify(message, sig.signature)) {
      throw new MerkleLogError('bad-signature', `signature by trusted key ${sig.name} does not verify: the note was altered`, {
        hint: 'fetch the note again from its source; an altered note must not be trusted',
      });
    }
    verified.push({ name: sig.name, keyId: sig.keyId });
  }
  if (verified.length === 0) {
    throw new MerkleLogError('unverified-note', 'no signature on the note is by a trusted key', {
      hint: 'check that the verifier key is the one the log publishes (and not a retired key)',
    });
  }
  return Object.freeze({ text, verified: Object.freeze(verified), unknown: Object.freeze(unknown) });
}
