import { ManualClock } from '@phiguard/core';
import { MemoryAuditRecorder } from '@phiguard/testkit';
import type { AccessStore } from '../store/access-store.ts';
import { openPgliteAccessStore } from '../store/open-access-store.ts';
import { Authenticator } from './authenticator.ts';
import { argon2idHasher } from './password-hasher.ts';

/** Cheap argon2id parameters for tests only (the production default is in DEFAULT_ARGON2). */
export const TEST_HASHER = argon2idHasher({ memoryCost: 1024, timeCost: 1 });

export interface AccessFixture {
  readonly store: AccessStore;
  readonly clock: ManualClock;
  readonly audit: MemoryAuditRecorder;
  readonly auth: Authenticator;
}

export async function accessFixture(): Promise<AccessFixture> {
  const store = await openPgliteAccessStore(undefined);
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 9, 0, 0));
  const audit = new MemoryAuditRecorder();
  return { store, clock, audit, auth: new Authenticator({ store, clock, audit, hasher: TEST_HASHER }) };
}
