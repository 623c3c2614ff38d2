// C2SP tlog-checkpoint "Note text": origin, tree size, base64 root hash, optional extension lines.
import { HASH_SIZE } from '../merkle/hashes.ts';
import { MerkleLogError } from '../merkle/merkle-log-error.ts';
import { decodeBase64Strict } from './base64.ts';

/** The body of a checkpoint: a signed commitment to the tree of `size` leaves with root `root`. */
export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly root: Buffer;
  /** Opaque, non-empty extension lines (NOT RECOMMENDED by the spec; kept for round trips). */
  readonly extensions: readonly string[];
}

/** Input of {@link formatCheckpoint}: extensions are optional. */
export interface CheckpointInput {
  readonly origin: string;
  readonly size: number;
  readonly root: Uint8Array;
  readonly extensions?: readonly string[];
}

function isLine(text: string): boolean {
  return text.length > 0 && text.isWellFormed() && !/[\u0000-\u001f]/u.test(text);
}

/** The checkpoint text (ends with a newline), ready for `signNote`. TypeError on bad input. */
export function formatCheckpoint(input: CheckpointInput): string {
  if (!isLine(input.origin)) throw new TypeError('checkpoint origin must be one non-empty line');
  if (!Number.isSafeInteger(input.size) || input.size < 0) throw new TypeError('checkpoint size must be a non-negative safe integer');
  if (input.root.length !== HASH_SIZE) throw new TypeError('checkpoint root must be 32 bytes');
  const extensions = input.extensions ?? [];
  if (!extensions.every(isLine)) throw new TypeError('checkpoint extension lines must be non-empty single lines');
  return [input.origin, String(input.size), Buffer.from(input.root).toString('base64'), ...extensions].map((l) => `${l}\n`).join('');
}

function bad(what: string, line: number): MerkleLogError {
  return new MerkleLogError('malformed-checkpoint', `checkpoint ${what}`, { place: { line } });
}

/** Parses checkpoint text (the text of an opened note). Throws `malformed-checkpoint` naming the line. */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw bad('text does not end with a newline', 1);
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw bad('has fewer than three lines', lines.length);
  lines.forEach((l, i) => {
    if (!isLine(l)) throw bad('has an empty line or a control character', i + 1);
  });
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]];
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText)) throw bad('tree size is not a decimal without leading zeroes', 2);
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) throw bad('tree size is beyond 2^53 - 1, which this implementation supports', 2);
  const root = decodeBase64Strict(rootText);
  if (root?.length !== HASH_SIZE) throw bad('root hash is not base64 of 32 bytes', 3);
  return Object.freeze({ origin, size, root, extensions: Object.freeze(extensions) });
}
