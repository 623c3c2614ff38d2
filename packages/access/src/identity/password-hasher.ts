import { hash, verify } from '@node-rs/argon2';

/**
 * argon2id (RFC 9106) with the OWASP-recommended minimum m=19 MiB, t=2, p=1. The PHC string
 * carries its parameters, so old hashes keep verifying when these change.
 */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hashed: string, password: string): Promise<boolean>;
}

export interface Argon2Params {
  readonly memoryCost: number;
  readonly timeCost: number;
}

export const DEFAULT_ARGON2: Argon2Params = Object.freeze({ memoryCost: 19_456, timeCost: 2 });

export function argon2idHasher(params: Argon2Params = DEFAULT_ARGON2): PasswordHasher {
  return {
    // @node-rs/argon2 defaults to argon2id (its Algorithm is a const enum, not usable under type stripping).
    hash: (password) => hash(password, { memoryCost: params.memoryCost, timeCost: params.timeCost, parallelism: 1 }),
    verify: async (hashed, password) => {
      try {
        return await verify(hashed, password);
      } catch {
        return false;
      }
    },
  };
}
