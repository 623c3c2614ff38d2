import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Command } from 'commander';
import { isBaseError, systemClock } from '@phiguard/core';
import { createOutputNamer, DeidTally, KEEP_OUTPUT_NAMES, type OutputNamer, type OutputNaming, type SafeHarborCategory } from '@phiguard/deid';
import { DEID_MEDIA_TYPE, readDeidFrames, type DeidFileAnswer } from '@phiguard/server';
import type { CliContext } from '../context.ts';
import { printBatchReport } from '../deid/batch-report.ts';
import { resolveReportNames, type ReportNameMode } from '../deid/report-names.ts';
import { runDeidBatch, type FileOutcome, type FormatProcessor } from '../deid/batch-runner.ts';
import type { OutputSink, StreamedFile, StreamOutcome } from '../deid/streamed-file.ts';
import { loadOrCreateDeidKey, loadOrCreateManifestSigner } from '../deid/deid-keys.ts';
import { connectRemote, remoteServer, type Remote } from './remote-mode.ts';
import { RemoteError } from './remote-error.ts';

/** Which files inside folders each remote format takes (the same as the local processors). */
const ACCEPTS: Readonly<Record<string, (relative: string) => boolean>> = {
  hl7v2: (r) => /\.(?:hl7|hl7v2|msg|txt|er7)$/i.test(r),
  text: (r) => /\.(?:txt|text|note)$/i.test(r),
  fhir: (r) => /\.(?:json|ndjson|jsonl)$/i.test(r),
  // DICOM files in folders often have no extension (IM0001).
  dicom: (r) => /\.(?:dcm|dicom|dic|ima)$/i.test(r) || !path.posix.basename(r).includes('.'),
};
/** Options that stay meaningful remotely; any other one given by the user is refused, not ignored. */
const REMOTE_OPTIONS = new Set(['out', 'profile', 'names', 'reportNames']);

/**
 * A processor for the local batch runner that has each file de-identified by the server, streamed
 * both ways. A lost connection or a refusal is not the file's fault: `stopIfBroken` (the batch
 * runner's afterFile hook) then stops the run before that file is journaled, so running the same
 * command again resumes with it.
 */
function remoteProcessor(r: Remote, format: string, profile: string, namer: OutputNamer): FormatProcessor & { stopIfBroken(): Promise<void> } {
  const accepts = ACCEPTS[format] ?? ((): boolean => false);
  let broken: Error | undefined;
  const streamed = async (file: StreamedFile, relative: string, sink: OutputSink): Promise<StreamOutcome> => {
    try {
      return await exchange(file, relative, sink);
    } catch (error) {
      // Socket errors (ECONNRESET, EPIPE) come untyped: name them by kind and place only.
      broken = isBaseError(error) ? error : new RemoteError('transfer-failed', 'the connection to the server failed', { cause: error, place: { file: relative } });
      throw broken;
    }
  };
  const exchange = async (file: StreamedFile, relative: string, sink: OutputSink): Promise<StreamOutcome> => {
    // The server records what the CLI names the output, never the input's name (names can be PHI).
    // Its records point at files by their input names, which the server cannot rename: see docs/server.md.
    if (namer.naming === 'pseudonymize' && path.posix.basename(relative).toUpperCase() === 'DICOMDIR') {
      return { ok: false, problem: { code: 'local-only', message: 'a DICOMDIR with pseudonymized file names is de-identified locally only (or use --names keep)', place: { file: relative } } };
    }
    // The size lets the server start the engine before the upload ends (it picks the engine, as locally).
    const query = new URLSearchParams({ profile, name: namer.path(relative), bytes: String(file.bytes) });
    const res = await r.client.ok(await r.client.send('POST', `/v1/deid/${format}?${query.toString()}`, {
      ...(r.purpose === undefined ? {} : { purpose: r.purpose }), accept: DEID_MEDIA_TYPE,
      upload: { contentType: 'application/octet-stream', body: file.chunks() },
    }));
    const hash = createHash('sha256');
    let bytes = 0;
    try {
      for await (const frame of readDeidFrames(res as AsyncIterable<Buffer>)) {
        if (frame.kind === 'output') {
          hash.update(frame.bytes);
          bytes += frame.bytes.length;
          sink.write(frame.bytes);
          continue;
        }
        const answer = frame.json as DeidFileAnswer;
        if (!answer.ok) return { ok: false, problem: answer.problem };
        // What arrived is what the server sent and recorded in its ledger entry.
        if (answer.outputSha256 !== hash.digest('hex') || answer.outputBytes !== bytes) return { ok: false, problem: { code: 'transfer-corrupt', message: 'the output received differs from the one the server recorded', place: { file: relative } } };
        const tally = new DeidTally();
        for (const t of answer.tally) tally.add(t.category as SafeHarborCategory, t.rule, t.n);
        return { ok: true, records: answer.records, tally, problems: answer.problems };
      }
    } catch (cause) {
      throw new RemoteError('transfer-failed', 'the answer from the server was cut off or malformed', { cause, place: { file: relative } });
    }
    throw new RemoteError('transfer-failed', 'the answer from the server ended without its trailer', { place: { file: relative } });
  };
  return {
    format,
    accepts,
    stopIfBroken: (): Promise<void> => {
      const error = broken;
      broken = undefined;
      return error === undefined ? Promise.resolve() : Promise.reject(error);
    },
    // Every file is streamed: the client never holds a whole file, whatever its size.
    stream: { accepts: (relative) => accepts(relative), process: streamed },
    async process(input, relative): Promise<FileOutcome> {
      const pieces: Uint8Array[] = [];
      const outcome = await streamed({ bytes: input.byteLength, chunks: () => [input] }, relative, { write: (p) => pieces.push(typeof p === 'string' ? Buffer.from(p, 'utf8') : p) });
      return outcome.ok ? { ...outcome, output: Buffer.concat(pieces) } : outcome;
    },
  };
}

/**
 * `phiguard deid <format> … --server URL`: the server de-identifies each file with its key and a
 * built-in profile; this side walks the inputs, keeps the layout, journal (resumable) and the
 * signed manifest exactly as the local command, and prints the same report. Returns false when
 * no server is named (the caller runs locally).
 */
export async function runDeidRemotely(
  ctx: CliContext,
  command: Command,
  format: string,
  inputs: readonly string[],
  options: { readonly out: string; readonly profile: string; readonly names?: OutputNaming; readonly reportNames?: ReportNameMode },
): Promise<boolean> {
  const server = remoteServer(command, ctx);
  if (server === undefined) return false;
  if (ACCEPTS[format] === undefined) throw new RemoteError('local-only', 'this format is de-identified locally only for now', { place: { field: '--server' } });
  const extra = Object.keys(command.opts()).filter((k) => !REMOTE_OPTIONS.has(k) && ['cli', 'env'].includes(command.getOptionValueSource(k) ?? ''));
  if (extra.length > 0) throw new RemoteError('local-only', `option --${extra[0] ?? ''} is for local runs (the server uses its key and built-in profiles)`, { place: { field: `--${extra[0] ?? ''}` } });
  const r = await connectRemote(command, ctx, server);
  const profile = await r.client.json<{ id: string; version: string; hash: string; keyId: string }>('GET', `/v1/deid/profiles/${encodeURIComponent(options.profile)}`, r.purpose === undefined ? {} : { purpose: r.purpose });
  let root = command;
  while (root.parent !== null) root = root.parent;
  const home = ctx.config(root.opts<{ config?: string }>().config).home;
  // Output names are keyed by this side's de-identification key (the one local runs use): the
  // client names the files it writes, and the server never learns the input names.
  const names = options.names ?? 'pseudonymize';
  let namer = KEEP_OUTPUT_NAMES;
  if (names !== 'keep') {
    const keyFile = path.join(home, 'deid.key');
    const { key, created } = loadOrCreateDeidKey(keyFile, true);
    if (created) ctx.stderr.write(`created a new de-identification key at ${keyFile} (it names the output files; keep it safe)\n`);
    namer = createOutputNamer(key, names);
  }
  const processor = remoteProcessor(r, format, options.profile, namer);
  const reportNames = resolveReportNames(options.reportNames, ctx);
  const summary = await runDeidBatch({
    inputs, outDir: options.out, cwd: ctx.cwd, processor, namer, reportNames, afterFile: () => processor.stopIfBroken(),
    profile: { id: profile.id, version: profile.version, hash: profile.hash }, keyId: profile.keyId,
    // The server records a deid.run entry per file in its ledger (as this user); the folder's manifest
    // is signed here, by the side that wrote the outputs and keeps the journal (docs/server.md).
    signer: loadOrCreateManifestSigner(path.join(home, 'deid-manifest-signing.pem')), clock: systemClock, stdout: ctx.stdout, stderr: ctx.stderr,
  });
  printBatchReport(summary, ctx, reportNames);
  if (summary.failed.length > 0 || summary.recordProblems.length > 0) process.exitCode = 1;
  return true;
}
