import { openComputeDatabase } from '../providers/compute-database.ts';
import { SqlNonceStore } from './sql-nonce-store.ts';
import { describeNonceStoreContract } from './sql-nonce-store.contract.ts';

describeNonceStoreContract('PGlite', async (ttlMs) => {
  const db = await openComputeDatabase({ kind: 'pglite' });
  return { store: new SqlNonceStore(db, { ttlMs }), close: () => db.close() };
});
