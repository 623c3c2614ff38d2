import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { ByteReader, FILES_MEDIA_TYPE } from '@phiguard/server';
import type { DatasetRecord, VerifyReport } from '@phiguard/vault';
import type { CliContext } from '../context.ts';
import { collectFiles, iso, retention, startProgress } from '../commands/datasets.ts';
import type { Remote } from './remote-mode.ts';
import { RemoteError } from './remote-error.ts';
import { writeVerifiedFile } from '../commands/write-verified-file.ts';

const MiB = 2 ** 20;
const seg = (s: string): string => encodeURIComponent(s);

interface VersionRow { readonly version: number; readonly createdMs: number; readonly blobs: number; readonly ledgerIndex: number | null; readonly manifestHash: string }
interface OpenedRow { readonly version: number; readonly manifestHash: string; readonly signerKeyId: string; readonly files: readonly { name: string; size: number }[] }

/**
 * `phiguard datasets … --server URL`: the same commands and the same output lines as the local
 * ones (apps/cli/src/commands/datasets.ts), against the server's vault. Files are streamed up
 * (sealed on the server) and down (verified there, and here against the manifest's SHA-256).
 */
export function remoteDatasets(ctx: CliContext): {
  create: (r: Remote, name: string, o: { key: string; retainUntil?: string; retainDays?: number }) => Promise<void>;
  add: (r: Remote, dataset: string, paths: string[], o: { replace?: boolean; deidManifest?: string; base?: string }) => Promise<void>;
  list: (r: Remote) => Promise<void>;
  show: (r: Remote, dataset: string, o: { number?: number }) => Promise<void>;
  versions: (r: Remote, dataset: string) => Promise<void>;
  get: (r: Remote, dataset: string, o: { out: string; number?: number }) => Promise<void>;
  verify: (r: Remote, dataset: string, o: { number?: number; deep?: boolean }) => Promise<void>;
  hold: (r: Remote, dataset: string) => Promise<void>;
  releaseHold: (r: Remote, dataset: string) => Promise<void>;
  retention: (r: Remote, dataset: string, o: { until?: string; days?: number }) => Promise<void>;
  gc: (r: Remote, o: { minAgeHours?: number }) => Promise<void>;
} {
  const say = (line: string): void => {
    ctx.stdout.write(`${line}\n`);
  };
  const p = (r: Remote): { purpose?: NonNullable<Remote['purpose']> } => (r.purpose === undefined ? {} : { purpose: r.purpose });
  const versionPath = (dataset: string, number: number | undefined): string => `/v1/datasets/${seg(dataset)}/versions/${number === undefined ? 'latest' : String(number)}`;

  return {
    async create(r, name, o) {
      const retainUntilMs = retention(o.retainUntil, o.retainDays);
      const record = await r.client.json<DatasetRecord>('POST', '/v1/datasets', { ...p(r), body: { name, keyId: o.key, ...(retainUntilMs === undefined ? {} : { retainUntilMs }) } });
      say(`created ${record.name} (${record.id})${record.retainUntilMs === null ? '' : `, retained until ${iso(record.retainUntilMs)}`}`);
    },

    async add(r, dataset, paths, o) {
      const files = await collectFiles(ctx.cwd, paths, o.base);
      const total = files.reduce((n, f) => n + f.size, 0);
      const progress = startProgress(ctx, 'sealing', total, files.length);
      const header = { files: files.map((f) => ({ name: f.name, size: f.size })), ...(o.replace === true ? { replace: true } : {}), ...(o.deidManifest === undefined ? {} : { deidManifest: o.deidManifest }) };
      const body = (async function* (): AsyncGenerator<Buffer> {
        yield Buffer.from(`${JSON.stringify(header)}\n`);
        for (const [i, f] of files.entries()) {
          let bytes = 0;
          for await (const chunk of createReadStream(f.path, { highWaterMark: MiB }) as AsyncIterable<Buffer>) {
            bytes += chunk.length;
            if (bytes > f.size) break;
            progress.listener({ file: i, bytes, done: false });
            yield chunk;
          }
          // The header announced the size: a file that changed meanwhile must not shift the others.
          if (bytes !== f.size) throw new RemoteError('transfer-failed', 'a file changed size while it was uploaded', { place: { index: i } });
          progress.listener({ file: i, bytes, done: true });
        }
      })();
      try {
        const res = await r.client.ok(await r.client.send('POST', `/v1/datasets/${seg(dataset)}/versions`, { ...p(r), upload: { contentType: FILES_MEDIA_TYPE, body } }));
        let text = '';
        for await (const c of res) text += (c as Buffer).toString();
        const record = JSON.parse(text) as { version: number; manifestHash: string; ledgerIndex: number };
        progress.stop();
        say(`version ${String(record.version)} of ${dataset}: ${String(files.length)} files added, manifest ${record.manifestHash}, ledger entry ${String(record.ledgerIndex)}`);
      } finally {
        progress.stop();
      }
    },

    async list(r) {
      const all = await r.client.json<DatasetRecord[]>('GET', '/v1/datasets', p(r));
      say('name                            id                               key              retained until            hold');
      for (const d of all) say(`${d.name.padEnd(32)}${d.id.padEnd(33)}${d.keyId.padEnd(17)}${(d.retainUntilMs === null ? '-' : iso(d.retainUntilMs)).padEnd(26)}${d.legalHold ? 'ON' : '-'}`);
    },

    async show(r, dataset, o) {
      const d = await r.client.json<DatasetRecord>('GET', `/v1/datasets/${seg(dataset)}/record`, p(r));
      say(`${d.name} (${d.id}) key ${d.keyProvider}/${d.keyId}; created ${iso(d.createdMs)} by ${d.createdBy}`);
      say(`retention: ${d.retainUntilMs === null ? 'none' : `until ${iso(d.retainUntilMs)}`}; legal hold: ${d.legalHold ? 'ON' : 'off'}`);
      if ((await r.client.json<VersionRow[]>('GET', `/v1/datasets/${seg(dataset)}/versions`, p(r))).length === 0) {
        say('no versions yet');
        return;
      }
      const opened = await r.client.json<OpenedRow>('GET', versionPath(dataset, o.number), p(r));
      say(`version ${String(opened.version)}, manifest ${opened.manifestHash}, signed by ${opened.signerKeyId}`);
      for (const f of opened.files) say(`  ${String(f.size).padStart(12)}  ${f.name}`);
    },

    async versions(r, dataset) {
      say('version  created                   blobs  ledger  manifest');
      for (const v of await r.client.json<VersionRow[]>('GET', `/v1/datasets/${seg(dataset)}/versions`, p(r))) {
        say(`${String(v.version).padStart(7)}  ${iso(v.createdMs).padEnd(24)}  ${String(v.blobs).padStart(5)}  ${String(v.ledgerIndex ?? '-').padStart(6)}  ${v.manifestHash}`);
      }
    },

    async get(r, dataset, o) {
      const res = await r.client.ok(await r.client.send('GET', `${versionPath(dataset, o.number)}/content`, { ...p(r), accept: FILES_MEDIA_TYPE }));
      const reader = new ByteReader(res as AsyncIterable<Buffer>);
      const header = JSON.parse(await reader.readLine(16 * MiB, 'header')) as { version: number; files: { name: string; size: number; sha256: string }[] };
      const outDir = path.resolve(ctx.cwd, o.out);
      const progress = startProgress(ctx, 'unsealing', header.files.reduce((n, f) => n + f.size, 0), header.files.length);
      try {
        for (const [i, entry] of header.files.entries()) {
          const parts = entry.name.split('/');
          // Names come from the server: never let one climb out of the output folder.
          if (parts.some((s) => s === '' || s === '.' || s === '..')) throw new RemoteError('bad-answer', 'the server sent an unsafe file name', { place: { index: i } });
          const target = path.join(outDir, ...parts);
          const hash = createHash('sha256');
          let bytes: number;
          try {
            bytes = await writeVerifiedFile({
              target,
              chunks: reader.take(entry.size, `files.${String(i)}`),
              onBytes: (n) => { progress.listener({ file: i, bytes: n, done: false }); },
              verifier: {
                update: (chunk) => hash.update(chunk),
                check: () => {
                  if (`sha256:${hash.digest('hex')}` !== entry.sha256) throw new RemoteError('transfer-failed', 'a downloaded file does not match its manifest digest', { place: { index: i } });
                },
              },
            });
          } catch (error) {
            throw error instanceof RemoteError ? error : new RemoteError('transfer-failed', 'the download was cut (a file failed verification on the server, or the connection broke)', { cause: error, place: { index: i } });
          }
          progress.listener({ file: i, bytes, done: true });
        }
      } finally {
        progress.stop();
      }
      say(`wrote ${String(header.files.length)} files of version ${String(header.version)} to ${path.relative(ctx.cwd, outDir) || '.'}`);
    },

    async verify(r, dataset, o) {
      const report = await r.client.json<VerifyReport>('POST', `/v1/datasets/${seg(dataset)}/verify`, { ...p(r), body: { ...(o.number === undefined ? {} : { version: o.number }), ...(o.deep === true ? { deep: true } : {}) } });
      for (const problem of report.problems) say(`problem: version ${String(problem.version)}${problem.blob === undefined ? '' : ` blob ${problem.blob}`}: ${problem.code}`);
      say(`${report.ok ? 'OK' : 'FAILED'}: ${String(report.versions)} versions, ${String(report.blobs)} blobs checked${o.deep === true ? ' (deep)' : ''}`);
      if (!report.ok) process.exitCode = 1;
    },

    async hold(r, dataset) {
      await r.client.json('PUT', `/v1/datasets/${seg(dataset)}/hold`, p(r));
      say(`legal hold placed on ${dataset}`);
    },

    async releaseHold(r, dataset) {
      await r.client.json('DELETE', `/v1/datasets/${seg(dataset)}/hold`, p(r));
      say(`legal hold released on ${dataset}`);
    },

    async retention(r, dataset, o) {
      const until = retention(o.until, o.days);
      if (until === undefined) throw new RemoteError('refused', 'give --until DATE or --days N', { place: { field: 'until' } });
      await r.client.json('PUT', `/v1/datasets/${seg(dataset)}/retention`, { ...p(r), body: { retainUntilMs: until } });
      say(`${dataset} retained until ${iso(until)}`);
    },

    async gc(r, o) {
      const report = await r.client.json<{ deleted: string[]; kept: { reason: string }[] }>('POST', '/v1/datasets/gc', { ...p(r), body: { minAgeMs: Math.round((o.minAgeHours ?? 1) * 3_600_000) } });
      say(`removed ${String(report.deleted.length)} unreferenced blobs; kept ${String(report.kept.length)} (${[...new Set(report.kept.map((k) => k.reason))].join(', ') || 'none'})`);
    },
  };
}
