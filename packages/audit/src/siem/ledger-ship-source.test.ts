import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ManualClock } from '@phiguard/core';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCheckpoint } from '../checkpoint/checkpoint.ts';
import { openNote, parseVerifierKey } from '../checkpoint/signed-note.ts';
import { eventsWithSeededIdentifiers, SEEDED_IDENTIFIERS, testEvent } from '../ledger/ledger-test-fixtures.ts';
import { Ledger } from '../ledger/ledger.ts';
import { checkpointSigner, loadOrCreateSignerKeys } from '../ledger/signer-key-file.ts';
import { rootFromLeafHashes } from '../merkle/root-from-leaf-hashes.ts';
import { openPgliteDriver } from '../store/pglite-driver.ts';
import { openSqlLedgerStore } from '../store/sql-ledger-store.ts';
import type { AuditSink } from './audit-sink.ts';
import { formatSyslog5424 } from './format-syslog-5424.ts';
import { ledgerShipSource } from './ledger-ship-source.ts';
import { mapToOcsf } from './map-ocsf.ts';
import type { ShippedRecord } from './shipped-record.ts';
import { Shipper, type ShipperReport } from './shipper.ts';

const ORIGIN = 'test.phiguard/siem';
const home = mkdtempSync(path.join(tmpdir(), 'siem-ledger-'));
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('shipping a real ledger (PGlite store)', () => {
  it('ships every recorded event and the signed checkpoint; the SIEM rebuilds the signed root from what it got', async () => {
    const keys = loadOrCreateSignerKeys(home, ORIGIN);
    const store = await openSqlLedgerStore(await openPgliteDriver(undefined));
    const ledger = await Ledger.open({
      store,
      signer: checkpointSigner(keys),
      clock: new ManualClock(Date.UTC(2026, 10, 24)),
      origin: ORIGIN,
      maxBatchSize: 8,
      maxBatchDelayMs: 0,
    });
    try {
      await Promise.all(Array.from({ length: 30 }, (_, i) => ledger.record(testEvent(i))));
      // Seeded identifiers never get in: the ledger refuses every such event.
      const refused = await Promise.allSettled(eventsWithSeededIdentifiers().map((e) => ledger.record(e as never)));
      expect(refused.every((r) => r.status === 'rejected')).toBe(true);

      const received: ShippedRecord[] = [];
      const outputs: string[] = [];
      const sink: AuditSink = {
        id: 'siem',
        send: (batch) => {
          received.push(...batch);
          for (const r of batch) outputs.push(formatSyslog5424(r), JSON.stringify(mapToOcsf(r)));
          return Promise.resolve();
        },
        close: () => Promise.resolve(),
      };
      const reports: ShipperReport[] = [];
      // The store is the cursor store (ledger_sink_cursors).
      await new Shipper({
        source: ledgerShipSource(store),
        cursors: store,
        sinks: [sink],
        origin: ORIGIN,
        batchSize: 7,
        onReport: (r) => reports.push(r),
      }).drain();
      expect(await store.getCursor('siem')).toBe(30);

      const events = received.flatMap((r) => (r.kind === 'event' ? [r] : []));
      expect(events.map((e) => e.index)).toEqual(Array.from({ length: 30 }, (_, i) => i));
      const checkpoint = received.at(-1);
      expect(checkpoint?.kind).toBe('checkpoint');
      if (checkpoint?.kind !== 'checkpoint') return;
      // The SIEM side: open the signed note with the published key and compare roots.
      const opened = parseCheckpoint(openNote(checkpoint.note, [parseVerifierKey(keys.verifierKey)]).text);
      expect(opened.size).toBe(30);
      expect(rootFromLeafHashes(events.map((e) => Buffer.from(e.leafHash, 'hex')))).toEqual(opened.root);

      // Nothing seeded reaches any output channel: sink payloads or shipper reports.
      const channels = [...outputs, JSON.stringify(reports)].join('\n');
      for (const seed of SEEDED_IDENTIFIERS) expect(channels).not.toContain(seed);
    } finally {
      await ledger.close();
    }
  });
});
