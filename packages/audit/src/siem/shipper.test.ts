import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AuditSink } from './audit-sink.ts';
import { MemoryCursorStore } from './memory-cursor-store.ts';
import { MemoryShipSource } from './memory-ship-source.ts';
import type { ShipSource, SourceEntry } from './ship-source.ts';
import type { ShippedRecord } from './shipped-record.ts';
import { Shipper, type ShipperReport } from './shipper.ts';
import { SiemError } from './siem-error.ts';
import { sampleEvent } from './testing/audit-event-arbitrary.ts';
import type { Timers } from './timers.ts';

const ORIGIN = 'phiguard.test/log';
const note = (size: number): string => `${ORIGIN}\n${String(size)}\nAAAA\n\n— test sig\n`;

/** Sleeps take no time; the delays asked for are recorded. */
function instantTimers(): Timers & { readonly delays: number[] } {
  const delays: number[] = [];
  return {
    delays,
    sleep: async (ms) => {
      delays.push(ms);
      await Promise.resolve();
    },
  };
}

/** What a SIEM received, in order, including re-sent duplicates. */
class RecordingSink implements AuditSink {
  readonly received: ShippedRecord[] = [];
  readonly id: string;
  constructor(id: string) {
    this.id = id;
  }
  send(batch: readonly ShippedRecord[]): Promise<void> {
    this.received.push(...batch);
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

type Fault = 'none' | 'refuse' | 'accept-then-fail' | 'prefix-then-fail';

/** Fails as a real transport can: before accepting, after accepting all, or part-way through a batch. */
class FlakySink extends RecordingSink {
  readonly #faults: () => Fault;
  constructor(id: string, faults: () => Fault) {
    super(id);
    this.#faults = faults;
  }
  override send(batch: readonly ShippedRecord[]): Promise<void> {
    const fault = this.#faults();
    if (fault === 'none') return super.send(batch);
    if (fault === 'accept-then-fail') this.received.push(...batch);
    if (fault === 'prefix-then-fail') this.received.push(...batch.slice(0, Math.floor(batch.length / 2)));
    return Promise.reject(new SiemError('connection-lost', 'injected'));
  }
}

/** The invariants a SIEM can rely on, checked over everything one sink received. */
function checkDelivery(received: readonly ShippedRecord[], total: number): void {
  let highest = -1;
  const firstSeen: number[] = [];
  for (const record of received) {
    if (record.kind === 'event') {
      // Never skipped: nothing arrives beyond the next unseen index.
      expect(record.index).toBeLessThanOrEqual(highest + 1);
      if (record.index === highest + 1) firstSeen.push(record.index);
      highest = Math.max(highest, record.index);
      expect(record.key).toBe(`${ORIGIN}/${String(record.index)}`);
    } else {
      // A checkpoint follows every event it covers.
      expect(record.size).toBeLessThanOrEqual(highest + 1);
      expect(record.key).toBe(`${ORIGIN}/checkpoint/${String(record.size)}`);
    }
  }
  expect(firstSeen).toEqual(Array.from({ length: total }, (_, i) => i));
}

describe('Shipper', () => {
  it('delivers every event in order, at least once, under random sink, source and cursor failures', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.constantFrom<Fault>('none', 'none', 'refuse', 'accept-then-fail', 'prefix-then-fail'), { minLength: 1, maxLength: 30 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 1, max: 7 }),
        async (chunks, faults, cursorFails, batchSize) => {
          const memory = new MemoryShipSource();
          let step = 0;
          let chunk = 0;
          // The log grows while shipping: each checkpoint read may append a chunk and sign it.
          const source: ShipSource = {
            readFrom: (i, max) => memory.readFrom(i, max),
            latestCheckpoint: () => {
              if (step++ % 2 === 0 && chunk < chunks.length) {
                const n = chunks[chunk++] ?? 0;
                for (let k = 0; k < n; k++) memory.append(sampleEvent(memory.size));
                memory.publishCheckpoint(memory.size, note(memory.size));
              }
              if (step % 7 === 3) return Promise.reject(new Error('injected read failure'));
              return memory.latestCheckpoint();
            },
          };
          let f = 0;
          // Each fault is used once, then the sink heals (a sink that never heals is never caught up).
          const sink = new FlakySink('siem', () => faults[f++] ?? 'none');
          const inner = new MemoryCursorStore();
          let c = 0;
          const cursors = {
            getCursor: (id: string) => inner.getCursor(id),
            setCursor: (id: string, next: number) =>
              cursorFails[c++] === true ? Promise.reject(new Error('injected')) : inner.setCursor(id, next),
          };
          const timers = instantTimers();
          const shipper = new Shipper({ source, cursors, sinks: [sink], origin: ORIGIN, batchSize, timers, random: () => 0.5 });
          // Keep draining until the whole schedule has been appended and shipped.
          while (chunk < chunks.length || (await inner.getCursor('siem')) < memory.size) await shipper.drain();
          await shipper.drain();
          checkDelivery(sink.received, memory.size);
          expect(await inner.getCursor('siem')).toBe(memory.size);
          const checkpoints = sink.received.filter((r) => r.kind === 'checkpoint');
          if (memory.size > 0) expect(checkpoints.at(-1)?.size).toBe(memory.size);
          for (const d of timers.delays) expect(d).toBeLessThanOrEqual(30_000);
        },
      ),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 150) },
    );
  });

  it('resumes from the durable cursor: a new shipper sends only what is new, then the checkpoint', async () => {
    const source = new MemoryShipSource();
    for (let i = 0; i < 10; i++) source.append(sampleEvent(i));
    source.publishCheckpoint(10, note(10));
    const cursors = new MemoryCursorStore();
    const first = new RecordingSink('a');
    await new Shipper({ source, cursors, sinks: [first], origin: ORIGIN, batchSize: 4, timers: instantTimers() }).drain();
    expect(first.received.map((r) => r.key)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => `${ORIGIN}/${String(i)}`),
      `${ORIGIN}/checkpoint/10`,
    ]);

    for (let i = 10; i < 15; i++) source.append(sampleEvent(i));
    source.publishCheckpoint(15, note(15));
    const second = new RecordingSink('a');
    await new Shipper({ source, cursors, sinks: [second], origin: ORIGIN, batchSize: 4, timers: instantTimers() }).drain();
    expect(second.received.map((r) => r.key)).toEqual(
      [10, 11, 12, 13, 14].map((i) => `${ORIGIN}/${String(i)}`).concat(`${ORIGIN}/checkpoint/15`),
    );
    expect(await cursors.getCursor('a')).toBe(15);
  });

  it('keeps a cursor per sink: a failing sink does not hold back a healthy one', async () => {
    const source = new MemoryShipSource();
    for (let i = 0; i < 5; i++) source.append(sampleEvent(i));
    const healthy = new RecordingSink('healthy');
    const stuck: AuditSink = {
      id: 'stuck',
      send: () => Promise.reject(new SiemError('unavailable', 'down')),
      close: () => Promise.resolve(),
    };
    const cursors = new MemoryCursorStore();
    const controller = new AbortController();
    const reports: ShipperReport[] = [];
    const shipper = new Shipper({
      source,
      cursors,
      sinks: [healthy, stuck],
      origin: ORIGIN,
      timers: instantTimers(),
      onReport: (r) => {
        reports.push(r);
        if (r.kind === 'retry' && r.attempt >= 20) controller.abort();
      },
    });
    await shipper.drain(controller.signal);
    expect(healthy.received).toHaveLength(5);
    expect(await cursors.getCursor('stuck')).toBe(0);
    const retries = reports.filter((r) => r.kind === 'retry');
    expect(retries.every((r) => r.sinkId === 'stuck' && r.code === 'unavailable' && r.stage === 'send')).toBe(true);
    // Backoff grows and is capped (default 200 ms doubling to 30 s, equal jitter).
    expect(retries.map((r) => r.delayMs).slice(0, 3)).not.toEqual([retries[0]?.delayMs, retries[0]?.delayMs, retries[0]?.delayMs]);
    expect(Math.max(...retries.map((r) => r.delayMs))).toBeLessThanOrEqual(30_000);
    expect(Math.max(...retries.map((r) => r.delayMs))).toBeGreaterThanOrEqual(15_000);
  });

  it('never skips past a gap in the source: it retries, and ships once the source is whole', async () => {
    const memory = new MemoryShipSource();
    for (let i = 0; i < 4; i++) memory.append(sampleEvent(i));
    let reads = 0;
    const source: ShipSource = {
      readFrom: async (i, max): Promise<readonly SourceEntry[]> => {
        const entries = await memory.readFrom(i, max);
        return reads++ < 2 ? entries.slice(1) : entries; // first two reads lose an entry
      },
      latestCheckpoint: () => memory.latestCheckpoint(),
    };
    const sink = new RecordingSink('s');
    const reports: ShipperReport[] = [];
    await new Shipper({
      source,
      cursors: new MemoryCursorStore(),
      sinks: [sink],
      origin: ORIGIN,
      timers: instantTimers(),
      onReport: (r) => reports.push(r),
    }).drain();
    expect(reports.flatMap((r) => (r.kind === 'retry' ? [r.code] : []))).toEqual(['source-gap', 'source-gap']);
    expect(sink.received.map((r) => (r.kind === 'event' ? r.index : -1))).toEqual([0, 1, 2, 3]);
  });

  it('refuses a leaf that is not the canonical JSON of its event', async () => {
    const memory = new MemoryShipSource();
    memory.append(sampleEvent(0));
    const source: ShipSource = {
      readFrom: async (i, max) => (await memory.readFrom(i, max)).map((e) => ({ ...e, leaf: Buffer.concat([e.leaf, Buffer.from(' ')]) })),
      latestCheckpoint: () => memory.latestCheckpoint(),
    };
    const sink = new RecordingSink('s');
    const controller = new AbortController();
    const codes: string[] = [];
    await new Shipper({
      source,
      cursors: new MemoryCursorStore(),
      sinks: [sink],
      origin: ORIGIN,
      timers: instantTimers(),
      onReport: (r) => {
        if (r.kind === 'retry') codes.push(r.code);
        if (codes.length === 3) controller.abort();
      },
    }).drain(controller.signal);
    expect(codes).toEqual(['source-mismatch', 'source-mismatch', 'source-mismatch']);
    expect(sink.received).toEqual([]);
  });

  it('runs until aborted, shipping events as the log grows, and stops cleanly mid-send without advancing', async () => {
    const source = new MemoryShipSource();
    const cursors = new MemoryCursorStore();
    const sink = new RecordingSink('live');
    const controller = new AbortController();
    const shipped = new Promise<void>((resolve) => {
      const shipper = new Shipper({
        source,
        cursors,
        sinks: [sink],
        origin: ORIGIN,
        pollMs: 60_000,
        onReport: (r) => {
          if (r.kind === 'shipped' && r.to === 3) resolve();
        },
      });
      void shipper.run(controller.signal);
    });
    source.append(sampleEvent(0), sampleEvent(1), sampleEvent(2));
    await shipped;
    expect(sink.received.map((r) => r.key)).toEqual([0, 1, 2].map((i) => `${ORIGIN}/${String(i)}`));
    controller.abort();

    // A send that never completes: abort returns promptly and the cursor stays put.
    const hanging: AuditSink = { id: 'hang', send: () => new Promise<void>(() => undefined), close: () => Promise.resolve() };
    const stop = new AbortController();
    const running = new Shipper({ source, cursors, sinks: [hanging], origin: ORIGIN }).run(stop.signal);
    await new Promise((r) => setImmediate(r));
    stop.abort();
    await running;
    expect(await cursors.getCursor('hang')).toBe(0);
  });

  it('rejects bad configuration', () => {
    const source = new MemoryShipSource();
    const cursors = new MemoryCursorStore();
    expect(() => new Shipper({ source, cursors, sinks: [], origin: 'has space' })).toThrow(TypeError);
    expect(() => new Shipper({ source, cursors, sinks: [new RecordingSink('a'), new RecordingSink('a')], origin: ORIGIN })).toThrow(
      TypeError,
    );
    expect(() => new Shipper({ source, cursors, sinks: [new RecordingSink('bad id')], origin: ORIGIN })).toThrow(TypeError);
    expect(() => new Shipper({ source, cursors, sinks: [], origin: ORIGIN, batchSize: 0 })).toThrow(TypeError);
  });
});
