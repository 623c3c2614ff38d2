import { systemClock, type Clock, type JsonValue } from '@phiguard/core';
import { isAlertEvent } from './alerting.ts';
import type { AuditOutcome } from '../events/audit-event.ts';
import { classifyAction } from './ocsf-classes.ts';
import type { ShippedCheckpoint, ShippedEvent, ShippedRecord } from './shipped-record.ts';

/** The OCSF schema version the mapping targets. */
export const OCSF_VERSION = '1.3.0';

export interface OcsfOptions {
  /** metadata.product.vendor_name (default `PHIGuard`). */
  readonly vendorName?: string;
  /** metadata.product.version, when known. */
  readonly productVersion?: string;
  /** Stamps checkpoints (events carry their own time). */
  readonly clock?: Clock;
}

type JsonObject = { [key: string]: JsonValue };

/** OCSF severity_id by outcome: 1 Informational, 2 Low, 3 Medium, 4 High. */
const SEVERITY: Readonly<Record<AuditOutcome, readonly [number, string]>> = {
  success: [1, 'Informational'],
  failure: [2, 'Low'],
  denied: [3, 'Medium'],
  error: [4, 'High'],
};

/** Constant strings beside {@link OCSF_MAPPING_STRINGS} that the mapping emits. */
export const OCSF_FIXED_STRINGS: ReadonlySet<string> = new Set([
  OCSF_VERSION,
  'PHIGuard',
  'Success',
  'Failure',
  'Informational',
  'Low',
  'Medium',
  'High',
  'Critical',
  'User',
  'System',
  'Base Event',
  'Uncategorized',
  'Other',
  'Base Event: Other',
  'audit ledger checkpoint',
]);

/**
 * An OCSF 1.3.0 event for a shipped record (mapping in docs/siem.md): API Activity 6003,
 * Authentication 3002, Account Change 3001 or Entity Management 3004 by action; checkpoints are a
 * Base Event (class 0). `metadata.uid` is the idempotency key; fields OCSF has no place for go in
 * `unmapped`. Every value comes from the record or is a constant of the mapping.
 */
export function mapToOcsf(record: ShippedRecord, options: OcsfOptions = {}): JsonObject {
  return record.kind === 'event' ? mapEvent(record, options) : mapCheckpoint(record, options);
}

function metadata(key: string, origin: string, options: OcsfOptions): JsonObject {
  const product: JsonObject = { name: 'PHIGuard', vendor_name: options.vendorName ?? 'PHIGuard' };
  if (options.productVersion !== undefined) product.version = options.productVersion;
  return { version: OCSF_VERSION, product, uid: key, log_name: origin };
}

function mapEvent(record: ShippedEvent, options: OcsfOptions): JsonObject {
  const { event } = record;
  const c = classifyAction(event.action);
  // Break-glass is Critical (5) whatever its outcome: the SIEM must alert on it at once.
  const [severityId, severity] = isAlertEvent(event) ? ([5, 'Critical'] as const) : SEVERITY[event.outcome];
  const success = event.outcome === 'success';
  const meta = metadata(record.key, record.origin, options);
  meta.original_time = event.time;
  meta.event_code = event.action;
  if (event.requestId !== undefined) meta.correlation_uid = event.requestId;
  const isUser = event.actor.kind === 'user';
  const actorUser: JsonObject = { uid: event.actor.id, type_id: isUser ? 1 : 3, type: isUser ? 'User' : 'System' };
  const resources: JsonObject[] = (event.resources ?? []).map((r) => ({ uid: r.id, type: r.type }));

  const out: JsonObject = {
    class_uid: c.classUid,
    class_name: c.className,
    category_uid: c.categoryUid,
    category_name: c.categoryName,
    activity_id: c.activityId,
    activity_name: c.activityName,
    type_uid: c.classUid * 100 + c.activityId,
    type_name: `${c.className}: ${c.activityName}`,
    severity_id: severityId,
    severity,
    status_id: success ? 1 : 2,
    status: success ? 'Success' : 'Failure',
    status_code: event.outcome,
    time: Date.parse(event.time),
    actor: { user: actorUser },
    metadata: meta,
  };
  if (event.reason !== undefined) out.status_detail = event.reason;

  switch (c.classUid) {
    case 3002: // Authentication: `user` is who authenticated.
      out.user = { uid: event.actor.id };
      break;
    case 3001: {
      // Account Change: `user` is the account changed (a `user` resource), else the actor's own.
      const target = event.resources?.find((r) => r.type === 'user');
      out.user = { uid: target?.id ?? event.actor.id };
      break;
    }
    case 3004: {
      // Entity Management: `entity` is the managed object.
      const first = event.resources?.[0];
      out.entity = first === undefined ? { type: event.action.split('.')[0] ?? event.action } : { uid: first.id, type: first.type };
      break;
    }
    default: {
      // API Activity: the operation and the resources it touched.
      const api: JsonObject = { operation: event.action };
      if (event.requestId !== undefined) api.request = { uid: event.requestId };
      out.api = api;
      if (resources.length > 0) out.resources = resources;
    }
  }

  const unmapped: JsonObject = {
    schema_version: event.v,
    log_index: record.index,
    leaf_hash: record.leafHash,
    actor_kind: event.actor.kind,
  };
  if (event.purpose !== undefined) unmapped.purpose_of_use = event.purpose;
  if (resources.length > 0) unmapped.resources = resources;
  if (event.details !== undefined) unmapped.details = { ...event.details };
  out.unmapped = unmapped;
  return out;
}

function mapCheckpoint(record: ShippedCheckpoint, options: OcsfOptions): JsonObject {
  return {
    class_uid: 0,
    class_name: 'Base Event',
    category_uid: 0,
    category_name: 'Uncategorized',
    activity_id: 99,
    activity_name: 'Other',
    type_uid: 99,
    type_name: 'Base Event: Other',
    severity_id: 1,
    severity: 'Informational',
    status_id: 1,
    status: 'Success',
    time: (options.clock ?? systemClock).nowMs(),
    message: 'audit ledger checkpoint',
    metadata: metadata(record.key, record.origin, options),
    unmapped: { checkpoint_size: record.size, checkpoint_note: record.note },
  };
}
