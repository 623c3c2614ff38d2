// `npm run bench -- seal [--quick]`: streaming envelope seal/unseal of 1 GiB (quick: 128 MiB) on
// one core, against `openssl speed -evp aes-256-gcm` measured in the same run; DEK rewraps/s on
// the local keystore and, when pkcs11js and SoftHSM2 are here, through PKCS#11.
// Keys: BENCHMARKS.md (seal). Input comes from memory and output goes nowhere: this measures
// the envelope, not the disk.
import { execFileSync } from 'node:child_process';
import { createCipheriv, createSecretKey, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { systemClock, newId } from '@phiguard/core';
import { MemoryAuditRecorder } from '@phiguard/testkit';
import {
  createMemoryKeyProvider,
  DEFAULT_FRAME_SIZE,
  initKeystore,
  Pkcs11Provider,
  pkcs11Available,
  sealStream,
  unsealStream,
  type WrappedDataKey,
} from '@phiguard/keys';
import { isQuick, writeResult } from './lib/result.ts';

const quick = isQuick();
const total = (quick ? 128 : 1024) * 2 ** 20;
const chunkSize = 1 << 20;
const frameSize = DEFAULT_FRAME_SIZE;
const MB = 1e6;

function openssl(): number {
  const out = execFileSync('openssl', ['speed', '-evp', 'aes-256-gcm', '-bytes', '16384', '-seconds', quick ? '1' : '3'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const line = out.split('\n').find((l) => /^AES-256-GCM\s/i.test(l));
  const k = line === undefined ? Number.NaN : Number.parseFloat(line.trim().split(/\s+/)[1] ?? '');
  if (!Number.isFinite(k)) throw new Error('could not parse openssl speed output');
  return (k * 1000) / MB; // "in 1000s of bytes per second"
}

function* input(): Generator<Buffer> {
  const block = randomBytes(chunkSize);
  for (let done = 0; done < total; done += chunkSize) yield block;
}

const { provider } = createMemoryKeyProvider(['bench']);
async function sealOnce(keep: Buffer[] | undefined): Promise<number> {
  const started = process.hrtime.bigint();
  let bytes = 0;
  for await (const part of sealStream(input(), { wrapWith: [{ provider, keyId: 'bench' }], frameSize })) {
    bytes += part.length;
    keep?.push(part);
  }
  if (bytes < total) throw new Error('short output');
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** Node's own ceiling: bare createCipheriv/update/final per frame, same frame size, no envelope. */
function nodeGcmOnce(): number {
  const key = createSecretKey(randomBytes(32));
  const iv = randomBytes(12);
  const block = randomBytes(chunkSize);
  const started = process.hrtime.bigint();
  for (let done = 0; done < total; done += chunkSize) {
    for (let at = 0; at < chunkSize; at += frameSize) {
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.update(block.subarray(at, at + frameSize));
      cipher.final();
      cipher.getAuthTag();
    }
  }
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function unsealOnce(sealed: readonly Buffer[]): Promise<number> {
  const started = process.hrtime.bigint();
  let bytes = 0;
  for await (const part of unsealStream(sealed, { providers: [provider] })) bytes += part.length;
  if (bytes !== total) throw new Error('unsealed length differs');
  return Number(process.hrtime.bigint() - started) / 1e9;
}

// The machine is shared: interleave the peer and our runs and keep the best of each, so both
// see the same conditions.
await sealOnce(undefined); // warm-up
let opensslMbS = 0;
let sealSeconds = Number.POSITIVE_INFINITY;
let unsealSeconds = Number.POSITIVE_INFINITY;
let nodeGcmSeconds = Number.POSITIVE_INFINITY;
for (let round = 0; round < 3; round++) {
  opensslMbS = Math.max(opensslMbS, openssl());
  nodeGcmSeconds = Math.min(nodeGcmSeconds, nodeGcmOnce());
  sealSeconds = Math.min(sealSeconds, await sealOnce(undefined));
  const sealed: Buffer[] = [];
  await sealOnce(sealed); // untimed: the input of the unseal run
  unsealSeconds = Math.min(unsealSeconds, await unsealOnce(sealed));
}

// Rewrap on the local keystore, through the batch API (one audit event per key per batch).
const dir = mkdtempSync(path.join(tmpdir(), 'phiguard-bench-seal-'));
const keyFile = path.join(dir, 'master.key');
writeFileSync(keyFile, randomBytes(32), { mode: 0o600 });
const actor = newId('usr', systemClock);
const custodians = [newId('usr', systemClock), newId('usr', systemClock)];
const { manager } = await initKeystore({ file: path.join(dir, 'keystore.json'), unlock: { kind: 'key-file', path: keyFile }, audit: new MemoryAuditRecorder(), clock: systemClock, actor, custodians, threshold: 2 });
await manager.createKey(actor, 'bench');
const count = quick ? 50_000 : 200_000;
const deks: WrappedDataKey[] = [];
for (let i = 0; i < count; i++) deks.push((await manager.provider.generateDataKey('bench')).wrapped);
await manager.rotate(actor, 'bench');
let started = process.hrtime.bigint();
for (let at = 0; at < count; at += 10_000) {
  const results = await manager.rewrap(actor, deks.slice(at, at + 10_000));
  if (results.some((r) => !r.ok)) throw new Error('rewrap failed');
}
const rewrapPerS = count / (Number(process.hrtime.bigint() - started) / 1e9);

// Rewrap through PKCS#11 (SoftHSM2), when available.
let pkcs11RewrapPerS = Number.NaN;
const library = '/usr/lib/softhsm/libsofthsm2.so';
if (pkcs11Available() && existsSync(library)) {
  mkdirSync(path.join(dir, 'tokens'));
  const conf = path.join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${path.join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  process.env.SOFTHSM2_CONF = conf;
  execFileSync('softhsm2-util', ['--init-token', '--free', '--label', 'B', '--pin', '1234', '--so-pin', '5678'], { stdio: 'pipe' });
  const hsm = Pkcs11Provider.open({ library, tokenLabel: 'B', pin: '1234', audit: new MemoryAuditRecorder() });
  await hsm.createVersion(actor, 'bench');
  const n = quick ? 500 : 2000;
  const hsmDeks: WrappedDataKey[] = [];
  for (let i = 0; i < n; i++) hsmDeks.push((await hsm.generateDataKey('bench')).wrapped);
  await hsm.createVersion(actor, 'bench');
  started = process.hrtime.bigint();
  for (const w of hsmDeks) await hsm.rewrapDataKey(w);
  pkcs11RewrapPerS = n / (Number(process.hrtime.bigint() - started) / 1e9);
  hsm.close();
}
manager.close();
rmSync(dir, { recursive: true, force: true });

const sealMbS = total / MB / sealSeconds;
const unsealMbS = total / MB / unsealSeconds;
const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;
writeResult({
  bench: 'seal',
  quick,
  metrics: {
    seal_mb_s: round(sealMbS),
    unseal_mb_s: round(unsealMbS),
    openssl_mb_s: round(opensslMbS),
    seal_ratio: round(sealMbS / opensslMbS, 3),
    unseal_ratio: round(unsealMbS / opensslMbS, 3),
    node_gcm_mb_s: round(total / MB / nodeGcmSeconds),
    seal_ratio_to_node_gcm: round(sealMbS / (total / MB / nodeGcmSeconds), 3),
    rewrap_per_s: Math.round(rewrapPerS),
    ...(Number.isFinite(pkcs11RewrapPerS) ? { pkcs11_rewrap_per_s: Math.round(pkcs11RewrapPerS) } : {}),
  },
  notes: `${total / 2 ** 20} MiB from memory in 1 MiB chunks, frame ${frameSize / 1024} KiB, best of 3 rounds interleaved with openssl speed -evp aes-256-gcm -bytes 16384 -seconds ${quick ? 1 : 3} (single thread), after a warm-up; load average at start ${os.loadavg()[0]?.toFixed(1) ?? '?'} on ${os.cpus().length} cores; rewrap: ${count} DEKs in batches of 10000 via KeyManager.rewrap (local keystore, audit in memory)${Number.isFinite(pkcs11RewrapPerS) ? '; pkcs11: SoftHSM2 2.6 AES-GCM in the token, one DEK at a time' : ''}`,
});
