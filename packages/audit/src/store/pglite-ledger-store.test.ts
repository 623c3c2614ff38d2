import { describeLedgerStoreContract } from './ledger-store.contract.ts';
import { openPgliteDriver } from './pglite-driver.ts';
import { openSqlLedgerStore } from './sql-ledger-store.ts';

describeLedgerStoreContract('PGlite (in memory)', {
  open: async () => {
    const driver = await openPgliteDriver(undefined);
    return { store: await openSqlLedgerStore(driver), sql: (statement, params) => driver.query(statement, params) };
  },
});
