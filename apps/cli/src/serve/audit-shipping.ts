import { createConfiguredSinks, Shipper, type CursorStore, type ShipSource } from '@phiguard/audit';
import type { PhiguardConfig } from '@phiguard/core';

export interface AuditShipping {
  readonly sinkIds: readonly string[];
  /** Stops shipping (what is not yet shipped goes out after the next start, from the cursor). */
  stop(): Promise<void>;
}

/**
 * Starts shipping the ledger to the SIEM sinks of `config.siem` (docs/siem.md): in order, at least
 * once, from a durable cursor per sink kept in the ledger's own store. Returns undefined when no
 * sink is configured. Problems are reported by code and index only, never content.
 */
export function startAuditShipping(options: {
  readonly config: Pick<PhiguardConfig, 'siem' | 'ledger'>;
  readonly source: ShipSource;
  readonly cursors: CursorStore;
  readonly secretEnv: (name: string) => string | undefined;
  readonly log: (line: string) => void;
}): AuditShipping | undefined {
  const sinks = createConfiguredSinks(options.config.siem, { secretEnv: options.secretEnv });
  if (sinks.length === 0) return undefined;
  const shipper = new Shipper({
    source: options.source,
    cursors: options.cursors,
    sinks,
    origin: options.config.ledger.origin,
    onReport: (report) => {
      if (report.kind === 'retry' && (report.attempt === 1 || report.attempt % 10 === 0)) {
        options.log(
          `siem: sink ${report.sinkId} ${report.stage} failed (${report.code}), attempt ${String(report.attempt)}, retrying in ${String(report.delayMs)} ms`,
        );
      }
    },
  });
  const abort = new AbortController();
  const running = shipper.run(abort.signal).catch((error: unknown) => {
    options.log(`siem: shipping stopped (${error instanceof Error ? error.name : 'error'})`);
  });
  return {
    sinkIds: sinks.map((s) => s.id),
    async stop() {
      abort.abort();
      await running;
      await Promise.all(sinks.map((s) => s.close()));
    },
  };
}
