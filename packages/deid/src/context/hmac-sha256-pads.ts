import { createHash } from 'node:crypto';

// FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes.
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
// FIPS 180-4 §5.3.3: the initial hash value.
const IV = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
const BLOCK = 64;

/** Messages up to this many UTF-16 units take the JavaScript path (at most 3 UTF-8 bytes each). */
export const SHORT_MESSAGE_UNITS = 128;

// Scratch space of the one call running at a time (JavaScript is single-threaded; nothing here calls out).
const W = new Int32Array(64);
const STATE = new Int32Array(8);
const MESSAGE = new Uint8Array(SHORT_MESSAGE_UNITS * 3 + 2 * BLOCK);
const OUTER = new Uint8Array(BLOCK);
const UTF8 = new TextEncoder();

/** The SHA-256 compression function (FIPS 180-4 §6.2.2) of one 64-byte block at `at` into `state`. */
function compress(state: Int32Array, block: Uint8Array, at: number): void {
  for (let i = 0; i < 16; i++) {
    const j = at + i * 4;
    W[i] = ((block[j] as number) << 24) | ((block[j + 1] as number) << 16) | ((block[j + 2] as number) << 8) | (block[j + 3] as number);
  }
  for (let i = 16; i < 64; i++) {
    const x = W[i - 15] as number;
    const y = W[i - 2] as number;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    W[i] = ((W[i - 16] as number) + s0 + (W[i - 7] as number) + s1) | 0;
  }
  let a = state[0] as number;
  let b = state[1] as number;
  let c = state[2] as number;
  let d = state[3] as number;
  let e = state[4] as number;
  let f = state[5] as number;
  let g = state[6] as number;
  let h = state[7] as number;
  for (let i = 0; i < 64; i++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + s1 + ((e & f) ^ (~e & g)) + (K[i] as number) + (W[i] as number)) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = ((state[0] as number) + a) | 0;
  state[1] = ((state[1] as number) + b) | 0;
  state[2] = ((state[2] as number) + c) | 0;
  state[3] = ((state[3] as number) + d) | 0;
  state[4] = ((state[4] as number) + e) | 0;
  state[5] = ((state[5] as number) + f) | 0;
  state[6] = ((state[6] as number) + g) | 0;
  state[7] = ((state[7] as number) + h) | 0;
}

/** The SHA-256 state after one block: the key XOR `pad` (RFC 2104 §2: ipad 0x36, opad 0x5c). */
function padState(key: Uint8Array, pad: number): Int32Array {
  const block = new Uint8Array(BLOCK);
  block.set(key);
  for (let i = 0; i < BLOCK; i++) block[i] = (block[i] as number) ^ pad;
  const state = IV.slice();
  compress(state, block, 0);
  return state;
}

/** Appends SHA-256 padding (FIPS 180-4 §5.1.1) after `n` bytes that follow `before` bytes; returns the padded length. */
function pad(buffer: Uint8Array, n: number, before: number): number {
  const total = ((n + 9 + BLOCK - 1) >> 6) << 6;
  buffer.fill(0, n, total);
  buffer[n] = 0x80;
  const bits = (n + before) * 8; // < 2^32 here
  buffer[total - 4] = bits >>> 24;
  buffer[total - 3] = (bits >>> 16) & 0xff;
  buffer[total - 2] = (bits >>> 8) & 0xff;
  buffer[total - 1] = bits & 0xff;
  return total;
}

function writeState(state: Int32Array, out: Uint8Array): void {
  for (let i = 0; i < 8; i++) {
    const v = state[i] as number;
    out[i * 4] = v >>> 24;
    out[i * 4 + 1] = (v >>> 16) & 0xff;
    out[i * 4 + 2] = (v >>> 8) & 0xff;
    out[i * 4 + 3] = v & 0xff;
  }
}

/**
 * HMAC-SHA-256 (RFC 2104) under one key with the inner and outer pad blocks hashed once: a MAC of
 * a short message is then two or three SHA-256 compressions in JavaScript, with no native call
 * and no Hmac object. Measured on Node 24 (CPU time, same process, 20-byte messages): 0.62 µs
 * against 1.55 µs for `createHmac` with a KeyObject. The same bytes as `createHmac('sha256', key)`
 * over the UTF-8 of the message (property-tested against it).
 */
export class HmacSha256Pads {
  readonly #inner: Int32Array;
  readonly #outer: Int32Array;

  constructor(key: Uint8Array) {
    // RFC 2104 §2: a key longer than the block is hashed first.
    const k = key.length > BLOCK ? createHash('sha256').update(key).digest() : key;
    this.#inner = padState(k, 0x36);
    this.#outer = padState(k, 0x5c);
  }

  /** The MAC of a message of at most {@link SHORT_MESSAGE_UNITS} UTF-16 units (UTF-8 encoded, as `update(message, 'utf8')`). */
  mac(message: string): Buffer {
    if (message.length > SHORT_MESSAGE_UNITS) throw new RangeError('HmacSha256Pads.mac takes short messages only');
    const n = UTF8.encodeInto(message, MESSAGE).written;
    const total = pad(MESSAGE, n, BLOCK);
    STATE.set(this.#inner);
    for (let at = 0; at < total; at += BLOCK) compress(STATE, MESSAGE, at);
    writeState(STATE, OUTER);
    pad(OUTER, 32, BLOCK);
    STATE.set(this.#outer);
    compress(STATE, OUTER, 0);
    const out = Buffer.allocUnsafe(32);
    writeState(STATE, out);
    return out;
  }
}
