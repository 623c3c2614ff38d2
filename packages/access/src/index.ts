export { AccessError, type AccessErrorCode } from './access-error.ts';
export { ROLES, isRole, type Role } from './roles.ts';
export type { Principal, PrincipalKind, ServiceAccountRecord, UserRecord } from './identity/principal.ts';
export { MIN_PASSWORD_LENGTH, PasswordPolicy, loadCommonPasswords, type PasswordVerdict } from './identity/password-policy.ts';
export { argon2idHasher, DEFAULT_ARGON2, type Argon2Params, type PasswordHasher } from './identity/password-hasher.ts';
export { matchTotp, newTotpSecret, totpCode, totpUri, TOTP_PERIOD_S } from './identity/totp.ts';
export { newRecoveryCodes, recoveryCodeHash } from './identity/recovery-codes.ts';
export { API_KEY_PREFIX, ApiKeys, DEFAULT_API_KEY_TTL_MS, type IssuedApiKey } from './identity/api-keys.ts';
export { DEFAULT_SIGNING_KEY_ROTATION_MS, DEFAULT_TOKEN_TTL_MS, TokenIssuer, type AccessTokenClaims, type SigningKeyPersistence } from './identity/token-issuer.ts';
export { Authenticator, type AuthenticatorOptions, type MfaChallenge, type NewSession, type SecondFactor } from './identity/authenticator.ts';
export type { ApiKeyRecord, BreakGlassRecord, GrantRecord, SessionRecord, SigningKeyRecord, WebAuthnCredentialRecord } from './store/access-records.ts';
export type { AccessStore, UserPatch } from './store/access-store.ts';
export { openSqlAccessStore } from './store/sql-access-store.ts';
export { openPgliteAccessStore, openPostgresAccessStore } from './store/open-access-store.ts';
export { ACTION_RESOURCE, ACTIONS, isAction, RESOURCE_TYPES, type Action, type ResourceType } from './authz/actions.ts';
export {
  DEFAULT_POLICY_DIR, PolicyEngine, policiesFromText, readPolicyFolder, validatePolicies,
  type PolicyDecision, type PolicyRequest, type PolicySource, type ResourceRef,
} from './authz/policy-engine.ts';
export { accessMatrix, renderAccessDoc, typicalRequest } from './authz/access-matrix.ts';
export { Authorizer, BREAK_GLASS_TTL_MS, MAX_GRANT_TTL_MS, type AuthzRequest } from './authz/authorizer.ts';
export { WebAuthnFactor, type RelyingParty } from './identity/webauthn-factor.ts';
export { DEFAULT_FAILURE_LIMIT, FailureLimiter, type FailureLimit } from './identity/failure-limiter.ts';
export { BoundedCache } from './cache/bounded-cache.ts';
export { cachingAccessStore, DEFAULT_ACCESS_CACHE_TTL_MS, type AccessCacheOptions } from './cache/caching-access-store.ts';
export { SecretBox, type SecretPurpose } from './secrets/secret-box.ts';
export { loadOrCreateRootKeyFile, loadOrCreateWrappedRootKey, ROOT_KEY_FILE, WRAPPED_ROOT_KEY_FILE, type RootKeyProvider, type WrappedRootKey } from './secrets/secrets-root-key.ts';
export { SoftAuthenticator } from './identity/soft-authenticator.ts';
