import type { CliContext } from '../context.ts';
import { refuseKeyFile } from './remote-data-keys.ts';
import type { Remote } from './remote-mode.ts';
import { RemoteError } from './remote-error.ts';

/**
 * `phiguard keys init|recover --server URL`: the server's own keystore (like `vault operator
 * init` and unseal). The server's unlock secret stays on the server; init prints the custodians'
 * recovery shares once, as the local command does; in recovery each custodian submits only their
 * own share from their own login session.
 */
export function remoteKeystore(ctx: CliContext): {
  init: (r: Remote, o: { custodian: string[]; threshold: number; keyFile?: string }) => Promise<void>;
  recover: (r: Remote, o: { share: string[]; keyFile?: string }) => Promise<void>;
} {
  const say = (line: string): void => {
    ctx.stdout.write(`${line}\n`);
  };
  return {
    async init(r, o) {
      refuseKeyFile(o);
      const answer = await r.client.json<{ shareThreshold: number; shares: { custodian: string; share: string }[] }>('POST', '/v1/keystore/init', { body: { custodians: o.custodian, threshold: o.threshold } });
      say(`keystore created on ${r.client.target.server}`);
      say(`recovery shares (give one to each custodian; any ${String(answer.shareThreshold)} recover the keystore; they are shown only now):`);
      for (const { custodian, share } of answer.shares) say(`  ${custodian}  ${share}`);
    },

    async recover(r, o) {
      refuseKeyFile(o);
      const [share, ...more] = o.share;
      if (share === undefined || more.length > 0) {
        throw new RemoteError('refused', 'on a server each custodian submits their own share: pass exactly one --share', { place: { field: '--share' }, hint: 'the other custodians run the same command with their share' });
      }
      const answer = await r.client.json<{ received: number; threshold: number; recovered: boolean }>('POST', '/v1/keystore/recover', { body: { share } });
      say(
        answer.recovered
          ? 'keystore recovered; it now opens with the server\'s new passphrase or key file'
          : `share accepted: ${String(answer.received)}/${String(answer.threshold)}; the next custodian runs \`phiguard keys recover --server ${r.client.target.server} --share …\` within 15 minutes`,
      );
    },
  };
}
