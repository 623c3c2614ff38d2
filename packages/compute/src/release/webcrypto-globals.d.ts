import type { webcrypto } from 'node:crypto';

// @hpke/core's declarations name the DOM's global CryptoKey / CryptoKeyPair types; without the DOM
// lib (tsconfig: es2024 + node) they are missing. Node's WebCrypto (globalThis.crypto) provides them.
declare global {
  type CryptoKey = webcrypto.CryptoKey;
  type CryptoKeyPair = webcrypto.CryptoKeyPair;
}
