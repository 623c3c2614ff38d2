import type { AuditEvent } from '../events/audit-event.ts';
import { freezeEvent, readLeafEvent } from '../events/validate-event.ts';
import { sha256 } from '../merkle/hashes.ts';
import type { StoredEntry } from '../store/ledger-store.ts';

/** A validated event turned into leaf bytes, with the columns the store indexes. */
export interface PreparedLeaf {
  readonly event: AuditEvent;
  /** RFC 8785 canonical JSON of {@link AuditEvent} (`v: 1`): the Merkle leaf data (RFC 9162 §2.1.1). */
  readonly bytes: Buffer;
  /** MTH({bytes}) = SHA-256(0x00 || bytes) (RFC 9162 §2.1.1), computed once when the event is accepted. */
  readonly hash: Buffer;
}

/**
 * Validates an input against the closed schema (throws `AuditEventError`, naming the field only)
 * and builds its leaf: the event, `v: 1` and the ledger's time, as canonical JSON.
 */
export function prepareLeaf(input: unknown, time: Date): PreparedLeaf {
  return prepareLeafAt(input, time.toISOString());
}

/** {@link prepareLeaf} with the time already formatted (RFC 3339 UTC with milliseconds). */
export function prepareLeafAt(input: unknown, isoTime: string): PreparedLeaf {
  // A checked copy whose members are already in RFC 8785 order, holding only token strings and
  // finite numbers: JSON.stringify of it is its canonical JSON (readLeafEvent). Frozen once
  // serialized (V8 serializes unfrozen objects faster).
  const event = readLeafEvent(input, isoTime);
  // One buffer holds the RFC 9162 §2.1.1 leaf prefix 0x00 and the leaf: hashed in one call, and
  // the leaf bytes are a view of it (no copy). U+0000 is the single byte 0x00 in UTF-8.
  const framed = Buffer.from(`\u0000${JSON.stringify(event)}`, 'utf8');
  return Object.freeze({ event: freezeEvent(event), bytes: framed.subarray(1), hash: sha256(framed) });
}

/** The store row of a prepared leaf at `index`. */
export function toStoredEntry(index: number, leaf: PreparedLeaf): StoredEntry {
  const { event } = leaf;
  return {
    index,
    leaf: leaf.bytes,
    actorId: event.actor.id,
    action: event.action,
    time: event.time,
    resources: event.resources ?? [],
  };
}

/** Parses leaf bytes back into the frozen event they hold. */
export function parseLeaf(bytes: Uint8Array): AuditEvent {
  const parsed = JSON.parse(Buffer.from(bytes).toString('utf8')) as AuditEvent;
  return deepFreeze(parsed);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
