import type { Role } from '../roles.ts';

/** A human (HIPAA §164.312(a)(2)(i) unique user identification). `id` is a PHIGuard id (`usr_…`). */
export interface UserRecord {
  readonly id: string;
  /** Login name; never written to the ledger (ids only). */
  readonly username: string;
  readonly roles: readonly Role[];
  readonly passwordHash: string;
  /** Base32 TOTP secret, undefined until enrolled at first login. */
  readonly totpSecret: string | undefined;
  /** The last RFC 6238 time step accepted, so a code is never accepted twice. */
  readonly totpLastStep: number;
  readonly failedLogins: number;
  /** Epoch ms until which logins are refused (lockout), 0 when not locked. */
  readonly lockedUntilMs: number;
  readonly disabled: boolean;
  /** Keys this user holds as custodian (separation of duties). */
  readonly custodianOf: readonly string[];
  readonly createdMs: number;
}

/** A pipeline or GPU agent (`svc_…`); authenticates with API keys only. */
export interface ServiceAccountRecord {
  readonly id: string;
  readonly name: string;
  readonly roles: readonly Role[];
  readonly disabled: boolean;
  readonly createdMs: number;
}

export type PrincipalKind = 'user' | 'service';

/** Who is asking, as the authorizer sees it. */
export interface Principal {
  readonly kind: PrincipalKind;
  readonly id: string;
  readonly roles: readonly Role[];
  readonly custodianOf: readonly string[];
}
