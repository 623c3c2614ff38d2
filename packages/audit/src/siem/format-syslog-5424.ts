import { canonicalJson, systemClock, type Clock } from '@phiguard/core';
import { isAlertEvent } from './alerting.ts';
import type { AuditEvent, AuditOutcome } from '../events/audit-event.ts';
import type { ShippedRecord } from './shipped-record.ts';

/** RFC 5424 §6.2.1 facilities PHIGuard allows: authpriv (10, the default), local0..local7 (16..23). */
export type SyslogFacility = 10 | 16 | 17 | 18 | 19 | 20 | 21 | 22 | 23;

export interface Syslog5424Options {
  /** HOSTNAME (§6.2.4): 1-255 printable US-ASCII; default `-` (NILVALUE). */
  readonly hostname?: string;
  /** APP-NAME (§6.2.5): default `phiguard`. */
  readonly appName?: string;
  /** PROCID (§6.2.6): default `-`. */
  readonly procId?: string;
  readonly facility?: SyslogFacility;
  /**
   * SD-ID (§6.3.2) in the `name@<private enterprise number>` form. The default `phiguard@32473`
   * uses 32473, the PEN reserved for documentation (RFC 5612); set your own PEN in production.
   */
  readonly sdId?: string;
  /** Stamps checkpoints (events carry their own time). */
  readonly clock?: Clock;
}

/** §6.2.1 severities by outcome: success → informational, failure → notice, denied → warning, error → err. */
export const SEVERITY_BY_OUTCOME: Readonly<Record<AuditOutcome, number>> = Object.freeze({ success: 6, failure: 5, denied: 4, error: 3 });
/** §6.2.1 severity 1 (alert): emergency access must be looked at immediately. */
const ALERT_SEVERITY = 1;

/** The RFC 5424 severity of an event: alert for break-glass, else by outcome. */
export function syslogSeverity(event: Pick<AuditEvent, 'action' | 'purpose' | 'outcome'>): number {
  return isAlertEvent(event) ? ALERT_SEVERITY : SEVERITY_BY_OUTCOME[event.outcome];
}
const CHECKPOINT_SEVERITY = 6;
const BOM = '\uFEFF';
const PRINTUSASCII = /^[\x21-\x7e]+$/;
const SD_NAME = /^[\x21-\x7e]{1,32}$/;
// §6.2.3 TIMESTAMP: RFC 3339 with upper-case T and Z, at most 6 fractional digits.
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;

/**
 * One RFC 5424 SYSLOG-MSG (§6) for a shipped record:
 * `<PRI>1 TIMESTAMP HOSTNAME phiguard PROCID MSGID [sd-id kind=… idx=… key=… …] BOM{json}`.
 * MSGID is the action truncated to 32 printable characters (§6.2.7); MSG is a BOM and the
 * canonical JSON of the event (the ledger leaf, byte for byte), or of the checkpoint. Every
 * structured-data value comes from the record itself: nothing is added that is not in the schema.
 */
export function formatSyslog5424(record: ShippedRecord, options: Syslog5424Options = {}): string {
  const facility = options.facility ?? 10;
  const hostname = headerField(options.hostname, 255, 'hostname');
  const appName = headerField(options.appName ?? 'phiguard', 48, 'appName');
  const procId = headerField(options.procId, 128, 'procId');
  const sdId = options.sdId ?? 'phiguard@32473';
  if (!SD_NAME.test(sdId) || /[= \]"]/.test(sdId)) throw new TypeError('sdId must be 1-32 printable characters without = ] " or space');

  if (record.kind === 'event') {
    const { event } = record;
    const params: [string, string][] = [
      ['kind', 'event'],
      ['idx', String(record.index)],
      ['key', record.key],
      ['outcome', event.outcome],
    ];
    if (event.purpose !== undefined) params.push(['purpose', event.purpose]);
    params.push(['lh', record.leafHash]);
    const pri = facility * 8 + syslogSeverity(event);
    const time = TIMESTAMP.test(event.time) ? event.time : '-';
    return `<${String(pri)}>1 ${time} ${hostname} ${appName} ${procId} ${msgId(event.action)} ${sdElement(sdId, params)} ${BOM}${record.leaf.toString('utf8')}`;
  }
  const params: [string, string][] = [
    ['kind', 'checkpoint'],
    ['size', String(record.size)],
    ['key', record.key],
  ];
  const pri = facility * 8 + CHECKPOINT_SEVERITY;
  const time = (options.clock ?? systemClock).now().toISOString();
  const msg = canonicalJson({ note: record.note, origin: record.origin, size: record.size });
  return `<${String(pri)}>1 ${time} ${hostname} ${appName} ${procId} checkpoint ${sdElement(sdId, params)} ${BOM}${msg}`;
}

/** §6.3.3: inside PARAM-VALUE, `"`, `\` and `]` MUST be escaped with a backslash. */
export function escapeSdValue(value: string): string {
  return value.replace(/["\\\]]/g, (c) => `\\${c}`);
}

function sdElement(sdId: string, params: readonly (readonly [string, string])[]): string {
  return `[${sdId}${params.map(([name, value]) => ` ${name}="${escapeSdValue(value)}"`).join('')}]`;
}

/** §6.2.7: MSGID is 1*32 PRINTUSASCII. Actions are ASCII by schema; anything else becomes `_`. */
function msgId(action: string): string {
  const printable = action.replace(/[^\x21-\x7e]/g, '_').slice(0, 32);
  return printable === '' ? '-' : printable;
}

function headerField(value: string | undefined, max: number, name: string): string {
  if (value === undefined) return '-';
  if (value.length > max || !PRINTUSASCII.test(value))
    throw new TypeError(`${name} must be 1-${String(max)} printable US-ASCII characters`);
  return value;
}
