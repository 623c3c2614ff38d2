import { dropTestSchema, randomTestSchema, TEST_PG_URL } from '@phiguard/audit';
import { describeComputeCatalogContract } from './compute-catalog.contract.ts';
import { openComputeDatabase } from './compute-database.ts';
import { SqlComputeCatalog } from './sql-compute-catalog.ts';

describeComputeCatalogContract('PostgreSQL', async (clock, audit) => {
  const schema = randomTestSchema('compute_test');
  const db = await openComputeDatabase({ kind: 'postgres', url: TEST_PG_URL, schema });
  return {
    catalog: new SqlComputeCatalog(db, clock, { audit }),
    close: async () => {
      await db.close();
      await dropTestSchema(schema);
    },
  };
});
