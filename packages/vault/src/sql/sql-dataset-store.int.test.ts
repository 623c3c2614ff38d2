import { dropTestSchema, randomTestSchema, TEST_PG_URL } from '@phiguard/audit';
import { describeDatasetStoreContract } from '../datasets/dataset-store.contract.ts';
import { openVaultDatabase } from './open-vault-database.ts';
import { SqlDatasetStore } from './sql-dataset-store.ts';

describeDatasetStoreContract('PostgreSQL', {
  async open() {
    const schema = randomTestSchema('vault_test');
    const driver = await openVaultDatabase({ kind: 'postgres', url: TEST_PG_URL, schema });
    const store = new SqlDatasetStore(driver);
    return {
      store,
      driver,
      close: async () => {
        await store.close();
        await dropTestSchema(schema);
      },
    };
  },
});
