import { describeAccessStoreContract } from './access-store.contract.ts';
import { openPgliteAccessStore } from './open-access-store.ts';

describeAccessStoreContract('PGlite (in memory)', { open: () => openPgliteAccessStore(undefined) });
