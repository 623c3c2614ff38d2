import { describeDatasetStoreContract } from '../datasets/dataset-store.contract.ts';
import { openVaultDatabase } from './open-vault-database.ts';
import { SqlDatasetStore } from './sql-dataset-store.ts';

describeDatasetStoreContract('PGlite', {
  async open() {
    const driver = await openVaultDatabase({ kind: 'pglite' });
    const store = new SqlDatasetStore(driver);
    return { store, driver, close: () => store.close() };
  },
});
