import { createRequire } from 'node:module';
import { KeysError } from '../keys-error.ts';

// The part of pkcs11js (an optional native addon) that the PKCS#11 provider uses, typed here so
// the package type-checks and runs without it installed. PKCS#11 v2.40 (OASIS) names.
export type Handle = Buffer;
export interface Attribute {
  type: number;
  value?: number | boolean | string | Buffer;
}
export interface Mechanism {
  mechanism: number;
  parameter?: Buffer | { type: number; iv?: Buffer; aad?: Buffer; ivBits: number; tagBits: number };
}
export interface Pkcs11Api {
  load(path: string): void;
  C_Initialize(): void;
  C_Finalize(): void;
  C_GetSlotList(tokenPresent?: boolean): Handle[];
  C_GetTokenInfo(slot: Handle): { label: string };
  C_OpenSession(slot: Handle, flags: number): Handle;
  C_CloseSession(session: Handle): void;
  C_Login(session: Handle, userType: number, pin?: string): void;
  C_Logout(session: Handle): void;
  C_GenerateKey(session: Handle, mechanism: Mechanism, template: Attribute[]): Handle;
  C_FindObjectsInit(session: Handle, template: Attribute[]): void;
  C_FindObjects(session: Handle, maxObjectCount: number): Handle[];
  C_FindObjectsFinal(session: Handle): void;
  C_GetAttributeValue(session: Handle, object: Handle, template: Attribute[]): { type: number; value: Buffer }[];
  C_DestroyObject(session: Handle, object: Handle): void;
  C_EncryptInit(session: Handle, mechanism: Mechanism, key: Handle): void;
  C_Encrypt(session: Handle, inData: Buffer, outData: Buffer): Buffer;
  C_DecryptInit(session: Handle, mechanism: Mechanism, key: Handle): void;
  C_Decrypt(session: Handle, inData: Buffer, outData: Buffer): Buffer;
}
export interface Pkcs11Module {
  PKCS11: new () => Pkcs11Api;
  readonly CKF_RW_SESSION: number;
  readonly CKF_SERIAL_SESSION: number;
  readonly CKU_USER: number;
  readonly CKA_CLASS: number;
  readonly CKA_KEY_TYPE: number;
  readonly CKA_LABEL: number;
  readonly CKA_TOKEN: number;
  readonly CKA_VALUE_LEN: number;
  readonly CKA_ENCRYPT: number;
  readonly CKA_DECRYPT: number;
  readonly CKA_SENSITIVE: number;
  readonly CKA_EXTRACTABLE: number;
  readonly CKO_SECRET_KEY: number;
  readonly CKK_AES: number;
  readonly CKM_AES_KEY_GEN: number;
  readonly CKM_AES_GCM: number;
  readonly CK_PARAMS_AES_GCM: number;
}

/** Loads pkcs11js lazily; fails with `provider-unavailable` when the optional addon is absent. */
export function loadPkcs11js(): Pkcs11Module {
  try {
    return createRequire(import.meta.url)('pkcs11js') as Pkcs11Module;
  } catch (error) {
    throw new KeysError('provider-unavailable', 'the PKCS#11 provider needs the optional pkcs11js addon', {
      cause: error,
      hint: 'npm install pkcs11js -w @phiguard/keys (builds from source; needs python3, make and a C++ compiler)',
    });
  }
}

/** True when pkcs11js can be loaded here. */
export function pkcs11Available(): boolean {
  try {
    loadPkcs11js();
    return true;
  } catch {
    return false;
  }
}
