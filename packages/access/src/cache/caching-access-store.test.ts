// The caching store meets the same AccessStore contract as the stores it wraps: every write
// through it is visible to the next read (the contract reads back after each write).
import { ManualClock } from '@phiguard/core';
import { describeAccessStoreContract } from '../store/access-store.contract.ts';
import { openPgliteAccessStore } from '../store/open-access-store.ts';
import { cachingAccessStore } from './caching-access-store.ts';

describeAccessStoreContract('PGlite behind the authorization caches', {
  open: async () => cachingAccessStore(await openPgliteAccessStore(undefined), new ManualClock(Date.UTC(2026, 0, 5))),
});
