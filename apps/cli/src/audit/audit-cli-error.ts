import { BaseError } from '@phiguard/core';

/** `bad-target`: not a tile folder, PGlite folder or postgres:// URL; `no-key`: no verifier key to trust; `bad-argument`: a flag's value. */
export type AuditCliErrorCode = 'bad-target' | 'no-key' | 'bad-argument';

/** An error of the `phiguard audit` commands; names the argument, never a data value. */
export class AuditCliError extends BaseError<AuditCliErrorCode> {}
