import { canonicalJsonBytes } from '@phiguard/core';
import type { AuditEvent } from '../events/audit-event.ts';
import { validateAuditEvent } from '../events/validate-event.ts';
import type { StoredEntry } from '../store/ledger-store.ts';

/** A validated event turned into leaf bytes, with the columns the store indexes. */
export interface PreparedLeaf {
  readonly event: AuditEvent;
  /** RFC 8785 canonical JSON of {@link AuditEvent} (`v: 1`): the Merkle leaf data (RFC 9162 §2.1.1). */
  readonly bytes: Buffer;
}

/**
 * Validates an input against the closed schema (throws `AuditEventError`, naming the field only)
 * and builds its leaf: the event, `v: 1` and the ledger's time, as canonical JSON.
 */
export function prepareLeaf(input: unknown, time: Date): PreparedLeaf {
  const valid = validateAuditEvent(input);
  const event: AuditEvent = Object.freeze({ ...valid, v: 1, time: time.toISOString() });
  return Object.freeze({ event, bytes: canonicalJsonBytes(event) });
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
