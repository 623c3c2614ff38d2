import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileSource, KeysError, readFrameLayout, rewrapEnvelopeHeader, type KeyProvider, type WrappedDataKey } from '@phiguard/keys';
import type { CliContext } from '../context.ts';
import type { Remote } from './remote-mode.ts';
import { RemoteError } from './remote-error.ts';

interface KeyView { readonly keyId: string; readonly state: string; readonly latestVersion: number; readonly minDecryptVersion: number; readonly createdAtMs: number; readonly versions: readonly { version: number; destroyed?: boolean }[] }
interface RequestView { readonly id: string; readonly operation: string; readonly keyId: string; readonly version: number | null; readonly requestedBy: string; readonly status: string; readonly approvals: readonly unknown[]; readonly threshold?: number }

const seg = (s: string): string => encodeURIComponent(s);

/**
 * `phiguard keys … --server URL`: the server's keystore, with the same output lines as the local
 * commands (apps/cli/src/commands/keys.ts). The acting principal is the logged-in user; dual
 * control therefore needs different logged-in custodians, each approving from their own session.
 */
export function remoteKeys(ctx: CliContext): {
  list: (r: Remote) => Promise<void>;
  create: (r: Remote, keyId: string, o: { rotateEvery?: number }) => Promise<void>;
  rotate: (r: Remote, keyId: string | undefined, o: { due?: boolean }) => Promise<void>;
  requestDestroy: (r: Remote, keyId: string, o: { version?: number }) => Promise<void>;
  approve: (r: Remote, requestId: string) => Promise<void>;
  destroy: (r: Remote, requestId: string) => Promise<void>;
  rewrap: (r: Remote, files: string[], o: { store?: string }) => Promise<void>;
} {
  const say = (line: string): void => {
    ctx.stdout.write(`${line}\n`);
  };
  return {
    async list(r) {
      const answer = await r.client.json<{ keys: KeyView[]; requests: RequestView[]; threshold: number }>('GET', '/v1/keys');
      say('key id                          state      latest  min  created');
      for (const k of answer.keys) {
        say(`${k.keyId.padEnd(32)}${k.state.padEnd(11)}${String(k.latestVersion).padStart(6)}  ${String(k.minDecryptVersion).padStart(3)}  ${new Date(k.createdAtMs).toISOString()}`);
      }
      for (const q of answer.requests.filter((x) => x.status === 'open')) {
        say(`open request ${q.id}: ${q.operation} ${q.keyId}${q.version === null ? '' : ` v${String(q.version)}`} by ${q.requestedBy}, ${String(q.approvals.length)}/${String(answer.threshold)} approvals`);
      }
    },

    async create(r, keyId, o) {
      const meta = await r.client.json<KeyView>('POST', '/v1/keys', { body: { keyId, ...(o.rotateEvery === undefined ? {} : { rotateEveryDays: o.rotateEvery }) } });
      say(`created ${meta.keyId} v${String(meta.latestVersion)}`);
    },

    async rotate(r, keyId, o) {
      if (o.due === true) {
        const rotated = await r.client.json<KeyView[]>('POST', '/v1/keys/rotate-due', { body: {} });
        say(rotated.length === 0 ? 'no key is due for rotation' : rotated.map((k) => `rotated ${k.keyId} to v${String(k.latestVersion)}`).join('\n'));
        return;
      }
      if (keyId === undefined) throw new RemoteError('refused', 'name a key or pass --due', { place: { field: 'keyId' }, hint: 'phiguard keys rotate KEY_ID' });
      say(`rotated ${keyId} to v${String((await r.client.json<KeyView>('POST', `/v1/keys/${seg(keyId)}/rotate`)).latestVersion)}`);
    },

    async requestDestroy(r, keyId, o) {
      const q = await r.client.json<RequestView>('POST', '/v1/keys/requests', { body: { keyId, ...(o.version === undefined ? {} : { version: o.version }) } });
      say(`request ${q.id}: destroy ${keyId}${q.version === null ? '' : ` v${String(q.version)}`}; needs ${String(q.threshold)} custodian approvals (phiguard keys approve ${q.id})`);
    },

    async approve(r, requestId) {
      const q = await r.client.json<RequestView>('POST', `/v1/keys/requests/${seg(requestId)}/approve`);
      say(`approved ${q.id}: ${String(q.approvals.length)}/${String(q.threshold)}`);
    },

    async rewrap(r, files, o) {
      if (o.store !== undefined) throw new RemoteError('local-only', '--store rewraps a folder of this machine; run it where the folder is', { place: { field: '--store' } });
      for (const file of files) say(`${file}: ${await remoteRewrapFile(r, path.resolve(ctx.cwd, file))}`);
    },

    async destroy(r, requestId) {
      const meta = await r.client.json<KeyView>('POST', `/v1/keys/requests/${seg(requestId)}/destroy`);
      say(`destroyed: ${meta.keyId} is ${meta.state}; versions erased: ${meta.versions.filter((v) => v.destroyed === true).map((v) => v.version).join(', ')}`);
    },
  };
}

interface WireWrapped { readonly provider: string; readonly keyId: string; readonly version: number; readonly wrapped: string }

/**
 * `phiguard keys rewrap FILE… --server URL`: each sealed file's header is read here, its wrapped
 * data keys (never the data, never a plaintext key) are re-wrapped by the server's keystore, and
 * the header is rewritten in place; the frames are copied unchanged, as locally.
 */
export async function remoteRewrapFile(r: Remote, file: string): Promise<string> {
  const handle = await open(file, 'r');
  let header: Buffer;
  let oldVersions: string;
  try {
    const layout = await readFrameLayout(fileSource(handle));
    oldVersions = layout.header.wrappedKeys.map((w) => `${w.keyId} v${String(w.version)}`).join(', ');
    header = await fileSource(handle).read(0, layout.header.length);
  } finally {
    await handle.close();
  }
  const unavailable = (): never => {
    throw new KeysError('provider-unavailable', 'only re-wrapping goes through the server', { place: { field: 'provider' } });
  };
  const viaServer: KeyProvider = {
    id: 'local',
    rewrapDataKey: async (w: WrappedDataKey): Promise<WrappedDataKey> => {
      const [result] = await r.client.json<({ ok: true; wrapped: WireWrapped } | { ok: false; code: string })[]>('POST', '/v1/keys/rewrap', {
        body: { items: [{ provider: w.provider, keyId: w.keyId, version: w.version, wrapped: Buffer.from(w.wrapped).toString('base64') }] },
      });
      if (result?.ok !== true) throw new KeysError('unwrap-failed', `cannot rewrap (${result?.code ?? 'unknown'})`, { place: { file: path.basename(file) } });
      return { ...result.wrapped, wrapped: Buffer.from(result.wrapped.wrapped, 'base64') };
    },
    generateDataKey: unavailable, wrapDataKey: unavailable, unwrapDataKey: unavailable, describeKey: unavailable,
  };
  const newHeader = await rewrapEnvelopeHeader(header, [viaServer]);
  const temp = `${file}.${String(process.pid)}.partial`;
  try {
    await pipeline(
      (async function* () {
        yield newHeader;
        yield* createReadStream(file, { start: header.length, highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>;
      })(),
      createWriteStream(temp, { mode: 0o600 }),
    );
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return `was ${oldVersions}; header rewritten, frames unchanged`;
}
