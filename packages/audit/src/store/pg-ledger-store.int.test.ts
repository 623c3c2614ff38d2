import { expect, it } from 'vitest';
import { describeLedgerStoreContract } from './ledger-store.contract.ts';
import { openPgDriver } from './pg-driver.ts';
import { dropTestSchema, randomTestSchema, TEST_PG_URL } from './pg-test-schema.ts';
import { openSqlLedgerStore } from './sql-ledger-store.ts';

const schema = randomTestSchema();

describeLedgerStoreContract('PostgreSQL', {
  open: async () => {
    const driver = await openPgDriver({ url: TEST_PG_URL, schema });
    return { store: await openSqlLedgerStore(driver), sql: (statement, params) => driver.query(statement, params) };
  },
  cleanup: () => dropTestSchema(schema),
});

it('runs the migrations once, however often a store is opened', async () => {
  const other = randomTestSchema();
  try {
    const a = await openSqlLedgerStore(await openPgDriver({ url: TEST_PG_URL, schema: other }));
    const b = await openSqlLedgerStore(await openPgDriver({ url: TEST_PG_URL, schema: other }));
    await a.append({ fromSize: 0, entries: [], tiles: [], checkpoint: { size: 0, note: 'n' } });
    expect(await b.readCheckpoint()).toBe('n');
    await Promise.all([a.close(), b.close()]);
  } finally {
    await dropTestSchema(other);
  }
});

it('lets an append already sent finish when the store is closed', async () => {
  const other = randomTestSchema();
  try {
    const store = await openSqlLedgerStore(await openPgDriver({ url: TEST_PG_URL, schema: other }));
    const appended = store.append({ fromSize: 0, entries: [], tiles: [], checkpoint: { size: 0, note: 'closing' } });
    await store.close();
    await expect(appended).resolves.toBeUndefined();
    const again = await openSqlLedgerStore(await openPgDriver({ url: TEST_PG_URL, schema: other }));
    expect(await again.readCheckpoint()).toBe('closing');
    await again.close();
  } finally {
    await dropTestSchema(other);
  }
});
