// Rotation of the log's checkpoint key. C2SP tlog-checkpoint "Signatures": clients MUST ignore
// unknown signatures, "this enables, for example, log key rotation": during an overlap a
// checkpoint carries signatures by both keys, so verifiers that trust either one accept it.
import type { Clock } from '@phiguard/core';
import { parseVerifierKey, type NoteSigner, type NoteVerifier } from './note-keys.ts';
import { openNote, signNote } from './signed-note.ts';

export interface CheckpointKeyringOptions {
  readonly clock: Clock;
  readonly current: NoteSigner;
  /** How long a rotated-out key keeps co-signing (ms). Default 7 days. */
  readonly overlapMs?: number;
}

interface Retiring {
  readonly signer: NoteSigner;
  readonly untilMs: number;
}

/**
 * Signs checkpoints with the current key, plus a staged next key (announced before the switch)
 * and any previous key still inside its overlap. Shape-compatible with the ledger's
 * `CheckpointSigner` (`sign(body): note`, `verifierKeys`).
 */
export class CheckpointKeyring {
  readonly #clock: Clock;
  readonly #overlapMs: number;
  #current: NoteSigner;
  #next: NoteSigner | undefined;
  #previous: Retiring[] = [];

  constructor(options: CheckpointKeyringOptions) {
    const overlapMs = options.overlapMs ?? 7 * 24 * 3600 * 1000;
    if (!Number.isFinite(overlapMs) || overlapMs < 0) throw new TypeError('overlapMs must be a non-negative number');
    this.#clock = options.clock;
    this.#overlapMs = overlapMs;
    this.#current = options.current;
  }

  /** The key that signs every checkpoint now. */
  get current(): NoteSigner {
    return this.#current;
  }

  /** Starts co-signing with `next` before it becomes current, so verifiers can add it first. */
  stage(next: NoteSigner): void {
    if (next.keyId === this.#current.keyId && next.name === this.#current.name) throw new TypeError('the staged key is the current key');
    this.#next = next;
  }

  /**
   * Makes `next` (or the staged key) current. The old key keeps co-signing for the overlap,
   * then stops: from then on only verifiers that trust the new key accept new checkpoints.
   */
  rotate(next?: NoteSigner): void {
    const incoming = next ?? this.#next;
    if (incoming === undefined) throw new TypeError('rotate needs a key, or one staged before');
    this.#previous.push({ signer: this.#current, untilMs: this.#clock.nowMs() + this.#overlapMs });
    this.#current = incoming;
    this.#next = undefined;
  }

  /** The signers of a checkpoint made now: current first, then staged next, then previous keys in overlap. */
  signers(): NoteSigner[] {
    const now = this.#clock.nowMs();
    this.#previous = this.#previous.filter((p) => p.untilMs > now);
    return [this.#current, ...(this.#next === undefined ? [] : [this.#next]), ...this.#previous.map((p) => p.signer)];
  }

  /** Signs checkpoint text (C2SP tlog-checkpoint) with every active key. */
  sign(checkpointBody: string): string {
    return signNote(checkpointBody, this.signers());
  }

  /** Verifier key texts of the keys that sign now. */
  get verifierKeys(): readonly string[] {
    return this.signers().map((s) => s.verifierKey);
  }
}

/** The trusted verifier set: any listed key verifies (old and new keys across a rotation). */
export function trustedVerifiers(verifierKeys: readonly string[]): NoteVerifier[] {
  return verifierKeys.map((k) => parseVerifierKey(k));
}

/** Opens a signed checkpoint note with the trusted set; throws like `openNote`. Returns the text and the key names that verified. */
export function openCheckpointNote(note: string, verifiers: readonly NoteVerifier[]): { text: string; verifiedBy: readonly string[] } {
  const opened = openNote(note, verifiers);
  return { text: opened.text, verifiedBy: opened.verified.map((v) => `${v.name}+${v.keyId.toString(16).padStart(8, '0')}`) };
}
