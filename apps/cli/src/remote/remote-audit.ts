import { hash } from 'node:crypto';
import path from 'node:path';
import {
  decodeEntryBundle, openNote, parseCheckpoint, parseVerifierKey, verifyInclusion, verifyLog,
  type EntryQuery, type NoteVerifier, type TileLogReader,
} from '@phiguard/audit';
import { canonicalJsonBytes, type JsonValue } from '@phiguard/core';
import { MAX_ENTRIES_PER_READ } from '@phiguard/server';
import { AuditProgress } from '../audit/audit-progress.ts';
import { resolveVerifiers } from '../audit/audit-target.ts';
import { exportWithProgress } from '../audit/export-with-progress.ts';
import type { CliContext } from '../context.ts';
import type { RemoteClient } from './remote-client.ts';
import type { Remote } from './remote-mode.ts';
import { RemoteError } from './remote-error.ts';

interface KeyOptions {
  key?: string[];
  keyFile?: string;
}

/** The server's ledger as a C2SP tlog-tiles reader over HTTPS: verification and export happen here, with the caller's keys. */
export function remoteTileLogReader(client: RemoteClient, checkpoint?: string): TileLogReader {
  return {
    readCheckpoint: () => (checkpoint === undefined ? client.text('/v1/audit/checkpoint') : Promise.resolve(checkpoint)),
    getTile: (level, index) => client.bytes(`/v1/audit/tiles/${String(level)}/${String(index)}`),
    async readEntries(from, count) {
      const out: Buffer[] = [];
      while (out.length < count) {
        const want = Math.min(MAX_ENTRIES_PER_READ, count - out.length);
        const bundle = await client.bytes(`/v1/audit/entries?from=${String(from + out.length)}&count=${String(want)}`);
        const entries = bundle === undefined ? [] : decodeEntryBundle(bundle);
        out.push(...entries);
        if (entries.length < want) break;
      }
      return out;
    },
  };
}

/**
 * `phiguard audit … --server URL`: the same output as the local commands. verify and export read
 * the server's tiles and check them HERE against `--key`/`--key-file` (or, said so on stderr,
 * the key the server reports); proof is re-checked here when keys are given.
 */
export function remoteAudit(ctx: CliContext): {
  verify: (r: Remote, target: string | undefined, o: KeyOptions & { origin?: string }) => Promise<void>;
  proof: (r: Remote, indexText: string, o: KeyOptions) => Promise<void>;
  search: (r: Remote, query: EntryQuery) => Promise<void>;
  exportTo: (r: Remote, dir: string, o: KeyOptions) => Promise<void>;
  publicKey: (r: Remote) => Promise<void>;
} {
  const verifiersFor = async (r: Remote, o: KeyOptions): Promise<NoteVerifier[]> => {
    if ((o.key ?? []).length > 0 || o.keyFile !== undefined) return resolveVerifiers(o, '/nonexistent', ctx.cwd).verifiers;
    ctx.stderr.write(`note: trusting the verifier key ${r.client.target.server} reports; pass --key for an independent check\n`);
    return [parseVerifierKey((await r.client.text('/v1/audit/public-key')).trim())];
  };
  return {
    async verify(r, target, o) {
      if (target !== undefined) throw new RemoteError('local-only', 'TARGET is for local logs; with --server the server\'s ledger is verified', { place: { field: 'TARGET' } });
      const verifiers = await verifiersFor(r, o);
      const progress = new AuditProgress(ctx.stderr, 'verify');
      try {
        // Fetched first: a refusal (403) is reported as such, not as a log that failed verification.
        const checkpoint = await r.client.text('/v1/audit/checkpoint');
        const report = await verifyLog(remoteTileLogReader(r.client, checkpoint), verifiers, {
          ...(o.origin === undefined ? {} : { origin: o.origin }),
          onProgress: (done, size) => {
            progress.update(done, size);
          },
        });
        progress.stop();
        const label = r.client.target.server;
        if (report.ok) {
          ctx.stdout.write(`OK ${label}: origin ${report.origin}, size ${String(report.size)}, root ${report.root.toString('base64')}\n`);
        } else {
          const at = report.firstBadIndex === undefined ? 'checkpoint' : `index ${String(report.firstBadIndex)}`;
          ctx.stdout.write(`FAILED ${label}: first bad ${at}: ${report.reason} (${report.detail})\n`);
          process.exitCode = 1;
        }
      } finally {
        progress.stop();
      }
    },

    async proof(r, indexText, o) {
      const p = await r.client.json<{ index: number; entry: JsonValue; leafHash: string; treeSize: number; root: string; proof: string[]; checkpoint: string }>('GET', `/v1/audit/proof/${encodeURIComponent(indexText)}`);
      if ((o.key ?? []).length > 0 || o.keyFile !== undefined) {
        // An independent check: our keys signed the checkpoint, the entry hashes to the leaf, the path leads to the root.
        const checkpoint = parseCheckpoint(openNote(p.checkpoint, resolveVerifiers(o, '/nonexistent', ctx.cwd).verifiers).text);
        const leaf = hash('sha256', Buffer.concat([Buffer.from([0]), canonicalJsonBytes(p.entry)]), 'buffer');
        const proven = leaf.equals(Buffer.from(p.leafHash, 'base64')) && checkpoint.size === p.treeSize && checkpoint.root.equals(Buffer.from(p.root, 'base64'))
          && verifyInclusion(leaf, p.index, p.treeSize, p.proof.map((h) => Buffer.from(h, 'base64')), checkpoint.root);
        if (!proven) throw new RemoteError('bad-answer', 'the server\'s proof does not verify with the given keys', { place: { index: p.index } });
      }
      ctx.stdout.write(`${JSON.stringify(p, null, 2)}\n`);
    },

    async search(r, query) {
      const params = new URLSearchParams();
      const add = (name: string, value: string | number | undefined): void => {
        if (value !== undefined) params.set(name, String(value));
      };
      add('actor', query.actorId);
      add('action', query.action);
      add('resourceType', query.resourceType);
      add('resourceId', query.resourceId);
      add('since', query.from);
      add('until', query.to);
      add('after', query.after);
      add('limit', query.limit);
      const res = await r.client.ok(await r.client.send('GET', `/v1/audit/search?${params.toString()}`, { accept: 'application/x-ndjson' }));
      for await (const chunk of res) ctx.stdout.write(chunk as Buffer);
    },

    async exportTo(r, dir, o) {
      await exportWithProgress(ctx, remoteTileLogReader(r.client), path.resolve(ctx.cwd, dir), dir, await verifiersFor(r, o));
    },

    async publicKey(r) {
      ctx.stdout.write(`${(await r.client.text('/v1/audit/public-key')).trim()}\n`);
    },
  };
}

