import { releaseCipherSuite, nodeKeyHash } from './release-suite.ts';

/**
 * The ephemeral X25519 key a node makes for one job (issue 8, key release). The private key stays
 * in the agent's memory (non-extractable); its public key's hash goes into the evidence.
 */
export interface NodeKeyPair {
  readonly privateKey: CryptoKey;
  /** Raw 32-byte X25519 public key (RFC 7748). */
  readonly publicKey: Uint8Array;
  /** SHA-256 of `publicKey`: what REPORT_DATA binds. */
  readonly keyHash: Uint8Array;
}

/** Makes a fresh key pair for one job. */
export async function generateNodeKeyPair(): Promise<NodeKeyPair> {
  const suite = releaseCipherSuite();
  const pair = await suite.kem.generateKeyPair();
  const publicKey = new Uint8Array(await suite.kem.serializePublicKey(pair.publicKey));
  return Object.freeze({ privateKey: pair.privateKey, publicKey, keyHash: nodeKeyHash(publicKey) });
}
