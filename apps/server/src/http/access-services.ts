import type { AccessStore, ApiKeys, Authenticator, Authorizer, TokenIssuer, WebAuthnFactor } from '@phiguard/access';
import type { Clock } from '@phiguard/core';

/** What the auth, user, grant and break-glass routes need. Built by the composition root. */
export interface AccessServices {
  readonly store: AccessStore;
  readonly authenticator: Authenticator;
  readonly apiKeys: ApiKeys;
  readonly tokens: TokenIssuer;
  readonly authorizer: Authorizer;
  readonly clock: Clock;
  /** Passkeys (registration, and login's second factor); the routes answer 404 without it. */
  readonly webauthn?: WebAuthnFactor;
}

/** Read-only dataset metadata for GET /v1/datasets/:id (the catalog lives elsewhere). */
export interface DatasetCatalog {
  get(id: string): Promise<{ readonly id: string; readonly version: number; readonly sealedBy: readonly string[]; readonly records: number } | undefined>;
}
