import type { ServiceAccountRecord, UserRecord } from '../identity/principal.ts';
import type { ApiKeyRecord, BreakGlassRecord, GrantRecord, SessionRecord, SigningKeyRecord, WebAuthnCredentialRecord } from './access-records.ts';

export type UserPatch = Partial<Pick<UserRecord, 'passwordHash' | 'totpSecret' | 'failedLogins' | 'lockedUntilMs' | 'disabled' | 'roles' | 'custodianOf'>>;

/**
 * Where identities, credentials, sessions, grants and break-glass episodes live. Implemented
 * on PGlite and PostgreSQL by {@link openSqlAccessStore}; both pass access-store.contract.ts.
 * Lookups return undefined for a missing row; a duplicate id or username throws `conflict`.
 */
export interface AccessStore {
  createUser(user: UserRecord): Promise<void>;
  getUser(id: string): Promise<UserRecord | undefined>;
  findUserByName(username: string): Promise<UserRecord | undefined>;
  listUsers(): Promise<UserRecord[]>;
  updateUser(id: string, patch: UserPatch): Promise<void>;
  /** Atomically raises the last accepted TOTP step; false when `step` is not newer (a replay). */
  advanceTotpStep(userId: string, step: number): Promise<boolean>;
  /** Atomically counts a failed login; returns the new count. */
  countFailedLogin(userId: string): Promise<number>;

  replaceRecoveryCodes(userId: string, hashes: readonly string[]): Promise<void>;
  /** Marks an unused recovery code used; false when there is none with this hash. */
  useRecoveryCode(userId: string, hash: string, atMs: number): Promise<boolean>;

  createServiceAccount(account: ServiceAccountRecord): Promise<void>;
  getServiceAccount(id: string): Promise<ServiceAccountRecord | undefined>;

  createApiKey(key: ApiKeyRecord): Promise<void>;
  getApiKey(id: string): Promise<ApiKeyRecord | undefined>;
  listApiKeys(accountId: string): Promise<ApiKeyRecord[]>;
  revokeApiKey(id: string, atMs: number): Promise<boolean>;

  createSession(session: SessionRecord): Promise<void>;
  getSession(id: string): Promise<SessionRecord | undefined>;
  touchSession(id: string, patch: { readonly lastSeenMs?: number; readonly mfaMs?: number }): Promise<void>;
  endSession(id: string, atMs: number): Promise<void>;

  createGrant(grant: GrantRecord): Promise<void>;
  listGrants(filter: { readonly principalId?: string }): Promise<GrantRecord[]>;
  revokeGrant(id: string, atMs: number): Promise<boolean>;

  createBreakGlass(episode: BreakGlassRecord): Promise<void>;
  listBreakGlass(filter: { readonly unreviewedOnly?: boolean; readonly userId?: string }): Promise<BreakGlassRecord[]>;
  reviewBreakGlass(id: string, reviewer: string, atMs: number): Promise<boolean>;

  addWebAuthnCredential(credential: WebAuthnCredentialRecord): Promise<void>;
  listWebAuthnCredentials(userId: string): Promise<WebAuthnCredentialRecord[]>;
  /** Stores the new signature counter; false when it did not grow (a cloned authenticator). */
  advanceWebAuthnCounter(id: string, counter: number): Promise<boolean>;

  /** Token signing keys, newest first (retired ones included). */
  listSigningKeys(): Promise<SigningKeyRecord[]>;
  addSigningKey(key: SigningKeyRecord): Promise<void>;
  /** Retires every unretired key but `keepKid`; returns how many were retired. */
  retireSigningKeys(keepKid: string, atMs: number): Promise<number>;

  close(): Promise<void>;
}
