import { dropTestSchema, randomTestSchema, TEST_PG_URL } from '@phiguard/audit';
import { openComputeDatabase } from '../providers/compute-database.ts';
import { SqlNonceStore } from './sql-nonce-store.ts';
import { describeNonceStoreContract } from './sql-nonce-store.contract.ts';

describeNonceStoreContract('PostgreSQL', async (ttlMs) => {
  const schema = randomTestSchema('compute_nonce_test');
  const db = await openComputeDatabase({ kind: 'postgres', url: TEST_PG_URL, schema, maxConnections: 6 });
  return {
    store: new SqlNonceStore(db, { ttlMs }),
    close: async () => {
      await db.close();
      await dropTestSchema(schema);
    },
  };
});
