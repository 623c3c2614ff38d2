// Child process of ledger-crash.int.test.ts: appends audit events in a loop with several
// concurrent writers and prints `ack INDEX N` for each acknowledged record(), until killed.
// Usage: node ledger-crash-child.ts ORIGIN HOME pglite DATA_DIR | ORIGIN HOME postgres URL SCHEMA
import { systemClock } from '@phiguard/core';
import { openPgliteLedgerStore, openPostgresLedgerStore } from '../store/open-ledger-store.ts';
import { Ledger } from './ledger.ts';
import { testEvent } from './ledger-test-fixtures.ts';
import { checkpointSigner, loadOrCreateSignerKeys } from './signer-key-file.ts';

const WRITERS = 8;

const [origin, home, backend, where, schema] = process.argv.slice(2);
if (origin === undefined || home === undefined || where === undefined || (backend !== 'pglite' && backend !== 'postgres')) {
  process.stderr.write('usage: ledger-crash-child.ts ORIGIN HOME pglite DATA_DIR | HOME postgres URL SCHEMA\n');
  process.exit(2);
}
const store = backend === 'pglite' ? await openPgliteLedgerStore(where) : await openPostgresLedgerStore({ url: where, ...(schema === undefined ? {} : { schema }) });
const ledger = await Ledger.open({
  store,
  signer: checkpointSigner(loadOrCreateSignerKeys(home, origin)),
  clock: systemClock,
  origin: origin,
  maxBatchSize: 64,
  maxBatchDelayMs: 1,
});
process.stdout.write(`ready ${String(ledger.head.size)}\n`);
let n = 0;
async function writer(): Promise<void> {
  for (;;) {
    const count = n++;
    const receipt = await ledger.record(testEvent(count));
    process.stdout.write(`ack ${String(receipt.index)} ${String(count)}\n`);
  }
}
await Promise.all(Array.from({ length: WRITERS }, () => writer()));
