import { randomBytes } from 'node:crypto';
import path from 'node:path';
import {
  ApiKeys, argon2idHasher, Authenticator, Authorizer, cachingAccessStore, openPgliteAccessStore, openPostgresAccessStore, PolicyEngine, TokenIssuer, type AccessStore,
} from '@phiguard/access';
import type { AuditRecorder } from '@phiguard/audit';
import { systemClock, type Clock, type PhiguardConfig } from '@phiguard/core';
import type { AccessServices } from '@phiguard/server';

/**
 * Opens the access store of the configured database (embedded: `<home>/access`, its own PGlite
 * folder), behind the caches of the authorized path (invalidated by every write through them).
 */
export async function openConfiguredAccessStore(config: PhiguardConfig, clock: Clock = systemClock): Promise<AccessStore> {
  const store = config.database.kind === 'pglite'
    ? await openPgliteAccessStore(path.join(config.home, 'access'))
    : await openPostgresAccessStore({ url: config.database.url });
  return cachingAccessStore(store, clock);
}

/** The access services of a server process; token signing keys rotate every `rotateMs`. */
export async function buildAccessServices(store: AccessStore, clock: Clock, audit: AuditRecorder): Promise<AccessServices> {
  return {
    store, clock,
    authenticator: new Authenticator({ store, clock, audit, hasher: argon2idHasher() }),
    apiKeys: new ApiKeys(store, clock, audit),
    tokens: await TokenIssuer.create(clock),
    authorizer: new Authorizer(new PolicyEngine(), store, clock, audit),
  };
}

/**
 * First start with an empty store: creates user `admin` with a random password, returned to be
 * shown once. TOTP is enrolled at the first login (`phiguard login`).
 */
export async function bootstrapAdmin(access: AccessServices): Promise<string | undefined> {
  if ((await access.store.listUsers()).length > 0) return undefined;
  const password = randomBytes(18).toString('base64url');
  await access.authenticator.createUser({ username: 'admin', password, roles: ['admin'] }, undefined);
  return password;
}
