import type { ShippedRecord } from './shipped-record.ts';

/**
 * A SIEM destination. `send` resolves only once the receiver has accepted the whole batch, in the
 * transport's own sense (docs/siem.md, "What accepted means"): fsync for a file, a 2xx for a
 * webhook, written and flushed to the TLS connection for RFC 5425 syslog. It rejects otherwise;
 * the shipper then re-sends the same batch. A sink may deliver a record more than once, never
 * out of order relative to what it accepted before.
 */
export interface AuditSink {
  /** Stable id: names the durable cursor. 1-64 of [A-Za-z0-9._-]. */
  readonly id: string;
  send(batch: readonly ShippedRecord[]): Promise<void>;
  close(): Promise<void>;
}

const SINK_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function isSinkId(value: string): boolean {
  return SINK_ID.test(value);
}
