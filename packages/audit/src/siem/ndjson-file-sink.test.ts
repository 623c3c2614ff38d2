import { canonicalJsonBytes } from '@phiguard/core';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryCursorStore } from './memory-cursor-store.ts';
import { MemoryShipSource } from './memory-ship-source.ts';
import { NdjsonFileSink } from './ndjson-file-sink.ts';
import { eventRecord } from './shipped-record.ts';
import { Shipper } from './shipper.ts';
import { SiemError } from './siem-error.ts';
import { sampleEvent } from './testing/audit-event-arbitrary.ts';

const ORIGIN = 'phiguard.test/log';
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'phiguard-ndjson-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('NdjsonFileSink', () => {
  it('appends one OCSF object per line, events then the checkpoint, through the shipper', async () => {
    const path = join(dir, 'audit.ndjson');
    const source = new MemoryShipSource();
    for (let i = 0; i < 5; i++) source.append(sampleEvent(i));
    source.publishCheckpoint(5, `${ORIGIN}\n5\nAAAA\n\n— sig\n`);
    const sink = new NdjsonFileSink({ id: 'file', path });
    await new Shipper({ source, cursors: new MemoryCursorStore(), sinks: [sink], origin: ORIGIN, batchSize: 2 }).drain();
    await sink.close();
    const lines = (await readFile(path, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { metadata: { uid: string }; class_uid: number });
    expect(lines.map((l) => l.metadata.uid)).toEqual([0, 1, 2, 3, 4].map((i) => `${ORIGIN}/${String(i)}`).concat(`${ORIGIN}/checkpoint/5`));
    expect(lines.at(-1)?.class_uid).toBe(0);
  });

  it('closes off a torn last line before appending, so later records stay intact', async () => {
    const path = join(dir, 'audit.ndjson');
    await appendFile(path, '{"torn":');
    const event = sampleEvent(0);
    const sink = new NdjsonFileSink({ id: 'file', path });
    await sink.send([eventRecord(ORIGIN, 0, event, canonicalJsonBytes(event))]);
    await sink.close();
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines[0]).toBe('{"torn":');
    expect((JSON.parse(lines[1] ?? '') as { metadata: { uid: string } }).metadata.uid).toBe(`${ORIGIN}/0`);
    await expect(sink.send([])).rejects.toThrow(SiemError);
  });

  it('creates a missing folder (owner only) on first write', async () => {
    const event = sampleEvent(0);
    const target = join(dir, 'new-dir', 'audit.ndjson');
    const sink = new NdjsonFileSink({ id: 'file', path: target });
    await sink.send([eventRecord(ORIGIN, 0, event, canonicalJsonBytes(event))]);
    await sink.close();
    expect((await readFile(target, 'utf8')).split('\n')).toHaveLength(2);
  });

  it('rejects with write-failed when the file cannot be written', async () => {
    const event = sampleEvent(0);
    // A regular file where the folder should be: neither mkdir nor open can succeed.
    await writeFile(join(dir, 'not-a-dir'), 'x');
    const sink = new NdjsonFileSink({ id: 'file', path: join(dir, 'not-a-dir', 'audit.ndjson') });
    const error = await sink.send([eventRecord(ORIGIN, 0, event, canonicalJsonBytes(event))]).catch((e: unknown) => e);
    expect((error as SiemError).code).toBe('write-failed');
  });
});
