import { isBaseError, systemClock, type Clock } from '@phiguard/core';
import { isSinkId, type AuditSink } from './audit-sink.ts';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.ts';
import type { CursorStore, ShipSource } from './ship-source.ts';
import { checkpointRecord, eventRecord, isLogOrigin, type ShippedRecord } from './shipped-record.ts';
import { SiemError } from './siem-error.ts';
import { systemTimers, type Timers } from './timers.ts';

/** What the shipper did, for metrics and operator logs. Indices, ids and codes only: never content. */
export type ShipperReport =
  | {
      readonly kind: 'shipped';
      readonly sinkId: string;
      readonly at: number;
      readonly from: number;
      readonly to: number;
      readonly checkpointSize?: number;
    }
  | {
      readonly kind: 'retry';
      readonly sinkId: string;
      readonly at: number;
      readonly stage: 'cursor' | 'read' | 'send';
      readonly attempt: number;
      readonly delayMs: number;
      /** The error's code (`SiemError`, `LedgerError`, ...) or `error` for an untyped one. */
      readonly code: string;
    };

export interface ShipperOptions {
  readonly source: ShipSource;
  readonly cursors: CursorStore;
  readonly sinks: readonly AuditSink[];
  /** The log origin (C2SP tlog-checkpoint first line); prefixes every idempotency key. */
  readonly origin: string;
  /** Events per `send` (default 256). */
  readonly batchSize?: number;
  readonly backoff?: Partial<BackoffPolicy>;
  /** How long to wait for growth before looking again (default 1000 ms). */
  readonly pollMs?: number;
  readonly clock?: Clock;
  readonly timers?: Timers;
  /** [0, 1) for backoff jitter (default Math.random). */
  readonly random?: () => number;
  readonly onReport?: (report: ShipperReport) => void;
}

interface Step {
  readonly records: readonly ShippedRecord[];
  readonly next: number;
  readonly checkpointSize: number | undefined;
}

const ABORTED = Symbol('aborted');

/**
 * Ships the audit ledger to every sink, in index order, at least once (docs/siem.md). Per sink:
 * read from its durable cursor, send, and advance the cursor only after `send` resolved; on any
 * failure wait (capped exponential backoff with jitter) and re-send the SAME batch, so nothing is
 * skipped or reordered. Each new checkpoint goes out after all the events it covers, so the SIEM
 * can check what it holds against the signed tree head. One shipper per cursor store.
 */
export class Shipper {
  readonly #source: ShipSource;
  readonly #cursors: CursorStore;
  readonly #sinks: readonly AuditSink[];
  readonly #origin: string;
  readonly #batchSize: number;
  readonly #backoff: BackoffPolicy;
  readonly #pollMs: number;
  readonly #clock: Clock;
  readonly #timers: Timers;
  readonly #random: () => number;
  readonly #onReport: (report: ShipperReport) => void;

  constructor(options: ShipperOptions) {
    if (!isLogOrigin(options.origin)) throw new TypeError('origin must be 1-255 printable ASCII characters');
    const ids = options.sinks.map((s) => s.id);
    if (ids.some((id) => !isSinkId(id))) throw new TypeError('sink ids must be 1-64 of [A-Za-z0-9._-]');
    if (new Set(ids).size !== ids.length) throw new TypeError('sink ids must be unique');
    const batchSize = options.batchSize ?? 256;
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new TypeError('batchSize must be a positive integer');
    this.#source = options.source;
    this.#cursors = options.cursors;
    this.#sinks = [...options.sinks];
    this.#origin = options.origin;
    this.#batchSize = batchSize;
    this.#backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.#pollMs = options.pollMs ?? 1000;
    this.#clock = options.clock ?? systemClock;
    this.#timers = options.timers ?? systemTimers;
    this.#random = options.random ?? Math.random;
    this.#onReport = options.onReport ?? (() => undefined);
  }

  /** Ships until `signal` aborts; resolves once every sink loop has stopped. Sinks stay open. */
  async run(signal: AbortSignal): Promise<void> {
    await Promise.all(this.#sinks.map((sink) => this.#runSink(sink, signal, false)));
  }

  /**
   * Ships until every sink holds every event now in the log and the latest checkpoint, retrying
   * failures until then, or until `signal` aborts.
   */
  async drain(signal: AbortSignal = new AbortController().signal): Promise<void> {
    await Promise.all(this.#sinks.map((sink) => this.#runSink(sink, signal, true)));
  }

  async #runSink(sink: AuditSink, signal: AbortSignal, untilCaughtUp: boolean): Promise<void> {
    const start = await this.#retry(sink.id, 'cursor', signal, () => this.#cursors.getCursor(sink.id));
    if (start === ABORTED) return;
    let cursor = start;
    let shippedCheckpoint = 0;
    while (!signal.aborted) {
      const step = await this.#retry(sink.id, 'read', signal, () => this.#nextStep(cursor, shippedCheckpoint));
      if (step === ABORTED) return;
      if (step.records.length === 0) {
        if (untilCaughtUp) return;
        await this.#waitForGrowth(cursor, signal);
        continue;
      }
      if ((await this.#retry(sink.id, 'send', signal, () => sink.send(step.records))) === ABORTED) return;
      if (step.next !== cursor) {
        const next = step.next;
        if ((await this.#retry(sink.id, 'cursor', signal, () => this.#cursors.setCursor(sink.id, next))) === ABORTED) return;
      }
      const report = { kind: 'shipped', sinkId: sink.id, at: this.#clock.nowMs(), from: cursor, to: step.next } as const;
      this.#onReport(step.checkpointSize === undefined ? report : { ...report, checkpointSize: step.checkpointSize });
      cursor = step.next;
      if (step.checkpointSize !== undefined) shippedCheckpoint = step.checkpointSize;
    }
  }

  /** The next batch from `cursor`, plus the latest checkpoint when every event it covers is in or before it. */
  async #nextStep(cursor: number, shippedCheckpoint: number): Promise<Step> {
    // Read the checkpoint first: the entries read next include everything it covers (up to batchSize).
    const checkpoint = await this.#source.latestCheckpoint();
    const entries = await this.#source.readFrom(cursor, this.#batchSize);
    if (entries.length > this.#batchSize)
      throw new SiemError('source-gap', 'source returned more entries than asked', { place: { index: cursor } });
    const records: ShippedRecord[] = entries.map((entry, i) => {
      if (entry.index !== cursor + i)
        throw new SiemError('source-gap', 'source skipped or reordered an entry', { place: { index: cursor + i } });
      return eventRecord(this.#origin, entry.index, entry.event, entry.leaf);
    });
    const next = cursor + entries.length;
    let checkpointSize: number | undefined;
    if (checkpoint !== undefined && checkpoint.size <= next && checkpoint.size > shippedCheckpoint) {
      const record = checkpointRecord(checkpoint.note, checkpoint.size);
      if (record.origin !== this.#origin)
        throw new SiemError('source-mismatch', 'checkpoint origin differs from the log origin', { place: { line: 1 } });
      records.push(record);
      checkpointSize = checkpoint.size;
    }
    return { records, next, checkpointSize };
  }

  async #waitForGrowth(cursor: number, signal: AbortSignal): Promise<void> {
    const wake = new AbortController();
    const stop = (): void => {
      wake.abort();
    };
    signal.addEventListener('abort', stop, { once: true });
    try {
      const waits = [this.#timers.sleep(this.#pollMs, wake.signal)];
      if (this.#source.waitForGrowth !== undefined) waits.push(this.#source.waitForGrowth(cursor, wake.signal).catch(() => undefined));
      await Promise.race(waits);
    } finally {
      wake.abort();
      signal.removeEventListener('abort', stop);
    }
  }

  /** Runs `action` until it succeeds or `signal` aborts, backing off between failures. */
  async #retry<T>(
    sinkId: string,
    stage: 'cursor' | 'read' | 'send',
    signal: AbortSignal,
    action: () => Promise<T>,
  ): Promise<T | typeof ABORTED> {
    for (let attempt = 0; ; attempt++) {
      if (signal.aborted) return ABORTED;
      try {
        return await untilAborted(action(), signal);
      } catch (error) {
        if (isAborted(signal)) return ABORTED;
        const delayMs = backoffDelay(attempt, this.#backoff, this.#random);
        const code = isBaseError(error) ? error.code : 'error';
        this.#onReport({ kind: 'retry', sinkId, at: this.#clock.nowMs(), stage, attempt, delayMs, code });
        await this.#timers.sleep(delayMs, signal);
      }
    }
  }
}

/** Reads `signal.aborted` afresh (a call, so type narrowing from an earlier check does not stick across awaits). */
function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}

/** `promise`, or a rejection as soon as `signal` aborts (the promise's own outcome is then ignored). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      reject(new SiemError('closed', 'shipping was stopped'));
    };
    // Callers check `signal.aborted` just before; a listener added to an aborted signal never fires.
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error('non-error rejection'));
      },
    );
  });
}
