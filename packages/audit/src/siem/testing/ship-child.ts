// Child process for the kill -9 integration test: ships a deterministic log to rsyslog over
// RFC 5425 with a FileCursorStore, slowly, until it is killed.
import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { FileCursorStore } from '../file-cursor-store.ts';
import { MemoryShipSource } from '../memory-ship-source.ts';
import type { ShipSource } from '../ship-source.ts';
import { Shipper } from '../shipper.ts';
import { SyslogTlsSink } from '../syslog-tls-sink.ts';
import { sampleEvent } from './audit-event-arbitrary.ts';

const [port, caPath, cursorPath, total, origin] = process.argv.slice(2);
if (port === undefined || caPath === undefined || cursorPath === undefined || total === undefined || origin === undefined) {
  throw new TypeError('usage: ship-child.ts PORT CA CURSORS TOTAL ORIGIN');
}
const memory = new MemoryShipSource();
for (let i = 0; i < Number(total); i++) memory.append(sampleEvent(i));
const source: ShipSource = {
  readFrom: async (index, max) => {
    await delay(15); // slow enough for the parent to kill it mid-stream
    return memory.readFrom(index, max);
  },
  latestCheckpoint: () => memory.latestCheckpoint(),
};
const sink = new SyslogTlsSink({ id: 'rsyslog', host: '127.0.0.1', port: Number(port), ca: await readFile(caPath, 'utf8') });
await new Shipper({ source, cursors: new FileCursorStore(cursorPath), sinks: [sink], origin, batchSize: 10 }).run(new AbortController().signal);
