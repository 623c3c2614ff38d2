import { createHash, randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AuditRecorder } from '@phiguard/audit';
import { newId, type Clock, type Place } from '@phiguard/core';
import { BUILTIN_PROFILES, builtinProfile, DeidManifestBuilder, DeidTally, manifestHash, type DeidManifest } from '@phiguard/deid';
import { MAX_DEID_FILE_BYTES, type DeidCaller, type DeidFileAnswer, type DeidProblem, type DeidRequest, type DeidService } from '@phiguard/server';
import type { CliContext } from '../context.ts';
import type { RecordedProblem } from '../deid/deid-journal.ts';
import { loadOrCreateDeidKey } from '../deid/deid-keys.ts';
import type { JobOutcome } from './deid-job.ts';
import { REMOTE_DEID_FORMATS } from './deid-processors.ts';
import { spoolBody, type Spooled } from './deid-spool.ts';
import { SpoolProgress } from './deid-spool-progress.ts';
import { DeidWorkerPool } from './deid-worker-pool.ts';

export { REMOTE_DEID_FORMATS } from './deid-processors.ts';

/** Formats whose engine needs the whole file in memory: their uploads stop at {@link MAX_DEID_FILE_BYTES}. */
const WHOLE_FILE_FORMATS: ReadonlySet<string> = new Set(['text']);
/**
 * Formats whose engine may start while the upload is still arriving: their streaming engines read
 * the file forwards (HL7 v2 files: one pass while the bytes are ASCII; FHIR NDJSON: one pass).
 * Not DICOM: its streaming engine reads Pixel Data at offsets. Text is read whole. FHIR Bundles
 * over 64 MiB read the file twice (patients first), so they overlap only the first pass.
 */
const OVERLAPPED_FORMATS: ReadonlySet<string> = new Set(['hl7v2', 'fhir']);
/** Output bytes read back from the worker's file per frame. */
const PIECE = 2 ** 20;

export interface ServeDeidOptions {
  readonly recorder: AuditRecorder;
  readonly clock: Clock;
  /** Heap limit of the worker thread (MB); the process's own limit when absent. */
  readonly workerHeapMb?: number;
  /** Largest file for the whole-file engines (text); default {@link MAX_DEID_FILE_BYTES}. */
  readonly wholeFileBytes?: number;
  /** The worker thread(s); a new pool by default (tests pass one they can stop). Closed with the service. */
  readonly pool?: DeidWorkerPool;
}

/**
 * The de-identification behind `phiguard deid <format> --server URL`. Each file's body is spooled
 * to `<home>/deid-spool` (mode 0600, removed when the answer is sent), de-identified in a worker
 * thread by the same engines as the local command (deid-processors.ts; streamed where the local
 * command streams; for {@link OVERLAPPED_FORMATS} while the spool is still growing), and its
 * output is sent on as the worker writes it. When the file is done the
 * server records a `deid.run` ledger entry as the caller, with the fields the local command
 * records, binding a one-file manifest (inputs and outputs by hash, counts, problems by place).
 */
export function serveDeid(home: string, _ctx: Pick<CliContext, 'stderr'>, options: ServeDeidOptions): DeidService & { close(): Promise<void> } {
  const { key } = loadOrCreateDeidKey(path.join(home, 'deid.key'), true);
  const spool = path.join(home, 'deid-spool');
  // Files left by a process that died mid-request hold PHI: the spool starts empty.
  rmSync(spool, { recursive: true, force: true });
  mkdirSync(spool, { recursive: true, mode: 0o700 });
  const pool = options.pool ?? new DeidWorkerPool(home, options.workerHeapMb === undefined ? {} : { maxOldGenerationSizeMb: options.workerHeapMb });
  const profileOf = (name: string): { id: string; version: string; hash: string; keyId: string } | undefined => {
    if (!Object.hasOwn(BUILTIN_PROFILES, name)) return undefined;
    const loaded = builtinProfile(name);
    return { id: loaded.profile.id, version: loaded.profile.version, hash: loaded.hash, keyId: key.id };
  };

  return {
    formats: REMOTE_DEID_FORMATS,
    profile: profileOf,
    close: () => pool.close(),
    async process(request, output): Promise<DeidFileAnswer> {
      const profile = profileOf(request.profile);
      if (profile === undefined) throw new TypeError('serveDeid: unknown profile (the route checks it)');
      const startedAt = new Date(options.clock.nowMs()).toISOString();
      const base = path.join(spool, randomUUID());
      const files = { input: `${base}.in`, output: `${base}.out` };
      const limit = options.wholeFileBytes ?? MAX_DEID_FILE_BYTES;
      try {
        // The engine starts at the first bytes when it reads forwards, the size is declared (it picks
        // the engine, as locally) and the worker is free (a job waiting behind others starts later
        // anyway, and a slow upload would hold them up); else the whole body is spooled first.
        if (request.bytes !== undefined && OVERLAPPED_FORMATS.has(request.format) && pool.idle) {
          const progress = new SpoolProgress();
          writeFileSync(files.input, '', { mode: 0o600 });
          writeFileSync(files.output, '', { mode: 0o600 });
          const spooling = spoolBody(request.body, files.input, { progress, expectedBytes: request.bytes });
          let sent: Awaited<ReturnType<typeof streamJob>>;
          try {
            sent = await streamJob(pool, { format: request.format, profile: request.profile, relative: request.relative, input: files.input, bytes: request.bytes, output: files.output, growing: progress.buffer }, output);
          } finally {
            await spooling; // never rejects; the spool files are removed only once it is closed
          }
          const spooled = await spooling;
          // A cut upload fails the file whatever the engine made of the part it read.
          if (!spooled.ok) return await recorded(options, request, profile, startedAt, { ok: false, problem: spoolProblem(spooled, limit) }, undefined);
          return await recorded(options, request, profile, startedAt, delivered(sent), { input: spooled, output: sent });
        }
        const spooled = await spoolBody(request.body, files.input, { ...(WHOLE_FILE_FORMATS.has(request.format) ? { maxBytes: limit } : {}), ...(request.bytes === undefined ? {} : { expectedBytes: request.bytes }) });
        if (!spooled.ok) return await recorded(options, request, profile, startedAt, { ok: false, problem: spoolProblem(spooled, limit) }, undefined);
        writeFileSync(files.output, '', { mode: 0o600 });
        const sent = await streamJob(pool, { format: request.format, profile: request.profile, relative: request.relative, input: files.input, bytes: spooled.bytes, output: files.output }, output);
        return await recorded(options, request, profile, startedAt, delivered(sent), { input: spooled, output: sent });
      } finally {
        rmSync(files.input, { force: true });
        rmSync(files.output, { force: true });
      }
    },
  };
}

/** The client went away mid-answer: the file was processed but not delivered; the ledger says so. */
function delivered(sent: { readonly outcome: JobOutcome; readonly aborted: boolean }): JobOutcome {
  return sent.aborted ? { ok: false, problem: { code: 'transfer-aborted', message: 'the client closed the connection before the answer ended', place: {} } } : sent.outcome;
}

/** Why a body was not (wholly) spooled, by kind and place only. */
function spoolProblem(spooled: Extract<Spooled, { ok: false }>, limit: number): RecordedProblem {
  switch (spooled.why) {
    case 'too-large': return { code: 'too-large', message: `this format is de-identified whole, up to ${String(Math.floor(limit / 2 ** 20))} MiB`, place: { field: 'body' } };
    case 'aborted': return { code: 'transfer-aborted', message: 'the upload ended before the file was complete', place: { field: 'body' } };
    case 'size-mismatch': return { code: 'transfer-aborted', message: 'the upload is not the size it declared', place: { field: 'body' } };
  }
}

/**
 * Runs a job in the worker and sends its output file on as it grows (the worker reports its
 * size every 256 KiB); resolves with the outcome, the hash and size of what was sent, and whether
 * the client went away before the end.
 */
async function streamJob(pool: DeidWorkerPool, job: Parameters<DeidWorkerPool['run']>[0], output: (piece: Uint8Array) => Promise<void>): Promise<{ outcome: JobOutcome; sha256: string; bytes: number; aborted: boolean }> {
  // Changed by the worker's messages while this function waits.
  const state = { written: 0, finished: false };
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const done = pool.run(job, (bytes) => {
    state.written = bytes;
    notify();
  }).then(
    (d) => ({ bytes: d.bytes, outcome: d.outcome }),
    (error: unknown) => ({ bytes: state.written, outcome: { ok: false, problem: { code: (error as { code?: string }).code ?? 'internal-error', message: 'the file could not be processed', place: {} } } as JobOutcome }),
  ).then((d) => {
    state.written = d.bytes;
    state.finished = true;
    notify();
    return d;
  });
  const fd = openSync(job.output, 'r');
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(PIECE);
  let sent = 0;
  try {
    for (;;) {
      while (sent < state.written) {
        // One buffer for the whole file: output() has framed (copied) the piece when it resolves.
        const n = readSync(fd, buf, 0, Math.min(PIECE, state.written - sent), sent);
        if (n === 0) break;
        hash.update(buf.subarray(0, n));
        sent += n;
        await output(buf.subarray(0, n));
      }
      if (state.finished && sent >= state.written) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } catch {
    // output() fails only when the client went away: let the worker finish this job (it holds the
    // next ones), then report the abort.
    const { outcome } = await done;
    return { outcome, sha256: hash.digest('hex'), bytes: sent, aborted: true };
  } finally {
    closeSync(fd);
  }
  const { outcome } = await done;
  return { outcome, sha256: hash.digest('hex'), bytes: sent, aborted: false };
}

/** The one-file manifest (as batch-runner.ts builds a run's), the `deid.run` ledger entry, and the trailer. */
async function recorded(
  options: ServeDeidOptions, request: DeidRequest, profile: { id: string; version: string; hash: string; keyId: string }, startedAt: string,
  outcome: JobOutcome, hashes: { readonly input: { readonly sha256: string; readonly bytes: number }; readonly output: { readonly sha256: string; readonly bytes: number } } | undefined,
): Promise<DeidFileAnswer> {
  const builder = new DeidManifestBuilder({ runId: newId('deid', options.clock), format: request.format, profile: { id: profile.id, version: profile.version, hash: profile.hash }, keyId: profile.keyId, startedAt });
  // A body refused before it was hashed is named by the hash of nothing (the manifest needs one).
  const inputSha256 = hashes?.input.sha256 ?? createHash('sha256').digest('hex');
  if (!outcome.ok) {
    builder.addProblem(inputSha256, outcome.problem.code, outcome.problem.message, withoutIndex(outcome.problem.place));
  } else if (hashes !== undefined) {
    builder.addInput({ sha256: inputSha256, bytes: hashes.input.bytes }, outcome.records);
    builder.addOutput({ sha256: hashes.output.sha256, bytes: hashes.output.bytes, input: inputSha256 });
    const tally = new DeidTally();
    for (const t of outcome.tally) tally.add(t.category, t.rule, t.n);
    builder.addTally(tally);
    for (const p of outcome.problems) builder.addProblem(inputSha256, p.code, p.message, { ...p.place, index: p.place.index ?? 0 });
  }
  const manifest = builder.build(new Date(options.clock.nowMs()).toISOString());
  const hash = manifestHash(manifest);
  const receipt = await options.recorder.record(deidRunEvent(request.caller, request.format, profile, manifest, hash, hashes === undefined ? {} : { inputSha256: `sha256:${inputSha256}`, ...(outcome.ok ? { outputSha256: `sha256:${hashes.output.sha256}` } : {}) }));
  if (!outcome.ok) return { ok: false, problem: wire(outcome.problem), manifestHash: hash, ledgerIndex: receipt.index };
  if (hashes === undefined) throw new TypeError('a finished file has hashes');
  return {
    ok: true, records: outcome.records, tally: outcome.tally, problems: outcome.problems.map(wire),
    inputSha256, inputBytes: hashes.input.bytes, outputSha256: hashes.output.sha256, outputBytes: hashes.output.bytes, manifestHash: hash, ledgerIndex: receipt.index,
  };
}

/** The same fields as the local command's entry (batch-runner.ts), plus the file's hashes; the caller is the actor. */
function deidRunEvent(caller: DeidCaller, format: string, profile: { id: string; hash: string; keyId: string }, manifest: DeidManifest, hash: string, files: { inputSha256?: string; outputSha256?: string }): Parameters<AuditRecorder['record']>[0] {
  return {
    actor: caller.actor,
    action: 'deid.run',
    outcome: manifest.totals.filesFailed === 0 ? 'success' : 'failure',
    resources: [{ type: 'deid-manifest', id: hash }],
    requestId: caller.requestId,
    ...(caller.purpose === undefined ? {} : { purpose: caller.purpose }),
    details: {
      format, profile: profile.id, profileHash: profile.hash, keyId: profile.keyId, manifestHash: hash,
      files: manifest.totals.files, filesFailed: manifest.totals.filesFailed, records: manifest.totals.records, recordsFailed: manifest.totals.recordsFailed,
      changes: Object.values(manifest.counts.byCategory).reduce((a, b) => a + b, 0),
      ...files,
    },
  };
}

function wire(p: RecordedProblem): DeidProblem {
  return { code: p.code, message: p.message, place: { ...p.place } };
}

function withoutIndex(place: Place): Place {
  return Object.fromEntries(Object.entries(place).filter(([k]) => k !== 'index'));
}
