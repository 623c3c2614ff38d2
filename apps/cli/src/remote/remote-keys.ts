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

    async destroy(r, requestId) {
      const meta = await r.client.json<KeyView>('POST', `/v1/keys/requests/${seg(requestId)}/destroy`);
      say(`destroyed: ${meta.keyId} is ${meta.state}; versions erased: ${meta.versions.filter((v) => v.destroyed === true).map((v) => v.version).join(', ')}`);
    },
  };
}
