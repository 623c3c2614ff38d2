import { randomBytes } from 'node:crypto';
import path from 'node:path';
import {
  ApiKeys, argon2idHasher, Authenticator, Authorizer, cachingAccessStore, loadOrCreateRootKeyFile, loadOrCreateWrappedRootKey, openPgliteAccessStore,
  openPostgresAccessStore, PolicyEngine, ROOT_KEY_FILE, SecretBox, TokenIssuer, WebAuthnFactor, WRAPPED_ROOT_KEY_FILE, type AccessStore, type RelyingParty,
} from '@phiguard/access';
import { openKeyManager, type KeystoreUnlock } from '@phiguard/keys';
import type { CliContext } from '../context.ts';
import { keystoreFile, keystoreUnlock } from '../keys/keystore-access.ts';
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

/** Where a server's access secrets and passkeys are anchored. */
export interface AccessServiceOptions {
  /**
   * The data folder holding the root key of the sealed access secrets (`access-secrets.key`,
   * 0600). With it, token signing keys persist in the store (sealed) and TOTP secrets are sealed;
   * without it (tests) signing keys live in memory and TOTP secrets are stored as they are.
   */
  readonly home?: string;
  /** The relying party of passkeys: the host name and https origin browsers see. */
  readonly relyingParty?: RelyingParty;
  /**
   * Keep the root key wrapped by this key of the local keystore (envelope encryption, docs/keys.md)
   * in `<home>/access-secrets.wrapped.json` instead of the plain `<home>/access-secrets.key`.
   */
  readonly keystore?: { readonly file: string; readonly unlock: KeystoreUnlock; readonly keyId: string };
}

/** The 32-byte root key of the sealed access secrets: wrapped by the keystore when configured, else a 0600 file. */
async function accessRootKey(home: string, clock: Clock, audit: AuditRecorder, keystore: AccessServiceOptions['keystore']): Promise<Buffer> {
  if (keystore === undefined) return loadOrCreateRootKeyFile(path.join(home, ROOT_KEY_FILE));
  const manager = await openKeyManager({ file: keystore.file, unlock: keystore.unlock, audit, clock });
  try {
    return await loadOrCreateWrappedRootKey(path.join(home, WRAPPED_ROOT_KEY_FILE), manager.provider, keystore.keyId);
  } finally {
    manager.close();
  }
}

/**
 * The access services of a server process. With `home`: signing keys from the store (a restart
 * keeps tokens valid; rotated daily, the previous key retired after one token lifetime), TOTP
 * secrets sealed (older plaintext rows are sealed at start).
 */
export async function buildAccessServices(store: AccessStore, clock: Clock, audit: AuditRecorder, options: AccessServiceOptions = {}): Promise<AccessServices> {
  const secrets = options.home === undefined ? undefined : new SecretBox(await accessRootKey(options.home, clock, audit, options.keystore));
  const webauthn = options.relyingParty === undefined ? undefined : new WebAuthnFactor(store, clock, audit, options.relyingParty);
  const authenticator = new Authenticator({ store, clock, audit, hasher: argon2idHasher(), secrets, webauthn });
  if (secrets !== undefined) await authenticator.sealStoredTotpSecrets();
  const tokens = secrets === undefined ? await TokenIssuer.create(clock) : await TokenIssuer.open({ clock, store, secrets });
  if (secrets !== undefined) {
    // Signing keys rotate daily; the previous key is retired once no token it signed can be valid.
    // unref: the timer never keeps the process alive; a failed round is retried a minute later.
    setInterval(() => { tokens.maintain().catch(() => undefined); }, 60_000).unref();
  }
  return {
    store, clock, authenticator, tokens,
    apiKeys: new ApiKeys(store, clock, audit),
    authorizer: new Authorizer(new PolicyEngine(), store, clock, audit),
    ...(webauthn === undefined ? {} : { webauthn }),
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

/**
 * The options `serve` uses: secrets anchored in the data folder; passkeys for the origin
 * PHIGUARD_PUBLIC_URL (default `https://localhost:<port>`; WebAuthn needs a host name, not an IP).
 */
export function serveAccessOptions(config: PhiguardConfig, ctx: Pick<CliContext, 'cwd' | 'env'>, port: number | undefined): AccessServiceOptions {
  const { env } = ctx;
  const origin = new URL(env.PHIGUARD_PUBLIC_URL ?? `https://localhost:${String(port ?? config.server.port)}`);
  return {
    home: config.home, relyingParty: { id: origin.hostname, name: 'PHIGuard', origin: origin.origin },
    ...(env.PHIGUARD_ACCESS_SECRETS_KEY === undefined ? {} : { keystore: { file: keystoreFile(config.home), unlock: serveKeystoreUnlock(ctx), keyId: env.PHIGUARD_ACCESS_SECRETS_KEY } }),
  };
}

/** PHIGUARD_KEYS_KEY_FILE (relative to the working folder), else PHIGUARD_KEYS_PASSPHRASE: the same unlock `serve` gives the keystore. */
function serveKeystoreUnlock(ctx: Pick<CliContext, 'cwd' | 'env'>): KeystoreUnlock {
  const keyFile = ctx.env.PHIGUARD_KEYS_KEY_FILE;
  return keystoreUnlock(keyFile === '' ? undefined : keyFile, ctx);
}
