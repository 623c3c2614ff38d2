import path from 'node:path';
import type { Command } from 'commander';
import { systemClock } from '@phiguard/core';
import { DeidTally, type SafeHarborCategory } from '@phiguard/deid';
import { ByteReader, DEID_MEDIA_TYPE, type DeidFileAnswer } from '@phiguard/server';
import type { CliContext } from '../context.ts';
import { printBatchReport } from '../deid/batch-report.ts';
import { runDeidBatch, type FileOutcome, type FormatProcessor } from '../deid/batch-runner.ts';
import { loadOrCreateManifestSigner } from '../deid/deid-keys.ts';
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
const REMOTE_OPTIONS = new Set(['out', 'profile']);

/** A processor for the local batch runner that has each file de-identified by the server. */
function remoteProcessor(r: Remote, format: string, profile: string): FormatProcessor {
  const accepts = ACCEPTS[format] ?? ((): boolean => false);
  return {
    format,
    accepts,
    async process(input, relative): Promise<FileOutcome> {
      const query = new URLSearchParams({ profile, name: relative });
      const res = await r.client.ok(await r.client.send('POST', `/v1/deid/${format}?${query.toString()}`, {
        ...(r.purpose === undefined ? {} : { purpose: r.purpose }), accept: DEID_MEDIA_TYPE,
        upload: { contentType: 'application/octet-stream', body: [input] },
      }));
      const reader = new ByteReader(res as AsyncIterable<Buffer>);
      const head = JSON.parse(await reader.readLine(16 * 2 ** 20, 'header')) as Omit<Extract<DeidFileAnswer, { ok: true }>, 'output'> & { bytes: number } | Extract<DeidFileAnswer, { ok: false }>;
      if (!head.ok) return { ok: false, problem: head.problem };
      const chunks: Buffer[] = [];
      for await (const chunk of reader.take(head.bytes, 'output')) chunks.push(chunk);
      const tally = new DeidTally();
      for (const t of head.tally) tally.add(t.category as SafeHarborCategory, t.rule, t.n);
      return { ok: true, output: Buffer.concat(chunks), records: head.records, tally, problems: head.problems };
    },
  };
}

/**
 * `phiguard deid <format> … --server URL`: the server de-identifies each file with its key and a
 * built-in profile; this side walks the inputs, keeps the layout, journal (resumable) and the
 * signed manifest exactly as the local command, and prints the same report. Returns false when
 * no server is named (the caller runs locally).
 */
export async function runDeidRemotely(ctx: CliContext, command: Command, format: string, inputs: readonly string[], options: { readonly out: string; readonly profile: string }): Promise<boolean> {
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
  const summary = await runDeidBatch({
    inputs, outDir: options.out, cwd: ctx.cwd, processor: remoteProcessor(r, format, options.profile),
    profile: { id: profile.id, version: profile.version, hash: profile.hash }, keyId: profile.keyId,
    // The server records each file's decision in its ledger; the manifest is signed here, by the side that wrote the outputs.
    signer: loadOrCreateManifestSigner(path.join(home, 'deid-manifest-signing.pem')), clock: systemClock, stdout: ctx.stdout, stderr: ctx.stderr,
  });
  printBatchReport(summary, ctx);
  if (summary.failed.length > 0 || summary.recordProblems.length > 0) process.exitCode = 1;
  return true;
}
