import { createHash } from 'node:crypto';
import { canonicalJsonBytes } from '@phiguard/core';
import type { AuditEvent } from '../events/audit-event.ts';
import { SiemError } from './siem-error.ts';

/** One ledger event as shipped: the event, its leaf bytes and the key a SIEM de-duplicates on. */
export interface ShippedEvent {
  readonly kind: 'event';
  /** `<origin>/<index>`: the same event always has the same key, however often it is re-sent. */
  readonly key: string;
  readonly origin: string;
  readonly index: number;
  readonly event: AuditEvent;
  /** The leaf bytes (canonical JSON of the event, RFC 8785) exactly as the log hashed them. */
  readonly leaf: Buffer;
  /** Hex SHA-256(0x00 || leaf): the RFC 9162 §2.1.1 leaf hash, so a SIEM can rebuild the tree. */
  readonly leafHash: string;
}

/** A signed checkpoint (C2SP tlog-checkpoint note), shipped after every event it covers. */
export interface ShippedCheckpoint {
  readonly kind: 'checkpoint';
  /** `<origin>/checkpoint/<size>`. */
  readonly key: string;
  readonly origin: string;
  readonly size: number;
  /** The whole signed note, verbatim. */
  readonly note: string;
}

export type ShippedRecord = ShippedEvent | ShippedCheckpoint;

// C2SP tlog-checkpoint: the origin is the note's first line, a schema-less URL; printable ASCII only.
const ORIGIN = /^[\x21-\x7e]{1,255}$/;

/** True for a log origin usable in idempotency keys. */
export function isLogOrigin(value: string): boolean {
  return ORIGIN.test(value);
}

export function eventKey(origin: string, index: number): string {
  return `${origin}/${String(index)}`;
}

export function checkpointKey(origin: string, size: number): string {
  return `${origin}/checkpoint/${String(size)}`;
}

/** RFC 9162 §2.1.1: MTH of one entry = SHA-256(0x00 || entry). */
export function leafHashHex(leaf: Uint8Array): string {
  return createHash('sha256').update(Buffer.of(0)).update(leaf).digest('hex');
}

/**
 * Builds the record for leaf `index`. The leaf must be the canonical JSON of the event (what the
 * ledger hashes); a mismatch means the source is corrupt, and shipping stops there rather than
 * send a SIEM something the checkpoint does not cover.
 */
export function eventRecord(origin: string, index: number, event: AuditEvent, leaf: Buffer): ShippedEvent {
  if (!ORIGIN.test(origin)) throw new TypeError('log origin must be 1-255 printable ASCII characters');
  if (!Number.isSafeInteger(index) || index < 0) throw new TypeError('leaf index must be a non-negative integer');
  if (!canonicalJsonBytes(event).equals(leaf)) {
    throw new SiemError('source-mismatch', 'leaf bytes are not the canonical JSON of the event', { place: { index } });
  }
  return Object.freeze({ kind: 'event', key: eventKey(origin, index), origin, index, event, leaf, leafHash: leafHashHex(leaf) });
}

/** Builds the record for a checkpoint note; the origin is the note's first line (C2SP tlog-checkpoint). */
export function checkpointRecord(note: string, size: number): ShippedCheckpoint {
  const origin = note.slice(0, Math.max(0, note.indexOf('\n')));
  if (!ORIGIN.test(origin)) throw new SiemError('source-mismatch', 'checkpoint note has no valid origin line', { place: { line: 1 } });
  if (!Number.isSafeInteger(size) || size < 0) throw new TypeError('checkpoint size must be a non-negative integer');
  return Object.freeze({ kind: 'checkpoint', key: checkpointKey(origin, size), origin, size, note });
}
