import { randomBytes } from 'node:crypto';
import path from 'node:path';
import {
  ApiKeys, argon2idHasher, Authenticator, Authorizer, openPgliteAccessStore, openPostgresAccessStore, PolicyEngine, TokenIssuer, type AccessStore,
} from '@phiguard/access';
import type { AuditRecorder } from '@phiguard/audit';
import type { Clock, PhiguardConfig } from '@phiguard/core';
import type { AccessServices } from '@phiguard/server';

/** Opens the access store of the configured database (embedded: `<home>/access`, its own PGlite folder). */
export function openConfiguredAccessStore(config: PhiguardConfig): Promise<AccessStore> {
  return config.database.kind === 'pglite'
    ? openPgliteAccessStore(path.join(config.home, 'access'))
    : openPostgresAccessStore({ url: config.database.url });
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
