import type { CliContext } from '../context.ts';
import {
  checkRevealTarget, decidedLine, discard, listLines, openRevealFile, readTokens, requestedLine, showLines, statusOption, withdrawnLine, writeRevealed,
  type ListOptions, type RequestOptions, type RequestView, type RevealedRow, type RevealOutput,
} from '../commands/linkage-output.ts';
import type { Remote } from './remote-mode.ts';
import { RemoteError } from './remote-error.ts';

const seg = (s: string): string => encodeURIComponent(s);

/**
 * `phiguard linkage … --server URL`: the same commands and output lines as the local ones
 * (commands/linkage.ts) against the server's routes (/v1/linkage/requests), as the logged-in
 * user; the purpose of use goes in X-Purpose-Of-Use.
 */
export function remoteLinkage(ctx: CliContext): {
  request: (r: Remote, tokens: string[], o: RequestOptions) => Promise<void>;
  list: (r: Remote, o: ListOptions) => Promise<void>;
  show: (r: Remote, id: string) => Promise<void>;
  approve: (r: Remote, id: string) => Promise<void>;
  deny: (r: Remote, id: string, o: { reason?: string }) => Promise<void>;
  withdraw: (r: Remote, id: string) => Promise<void>;
  reveal: (r: Remote, id: string, o: RevealOutput) => Promise<void>;
} {
  const say = (line: string): void => {
    ctx.stdout.write(`${line}\n`);
  };
  const p = (r: Remote): { purpose?: NonNullable<Remote['purpose']> } => (r.purpose === undefined ? {} : { purpose: r.purpose });

  return {
    async request(r, tokens, o) {
      const list = readTokens(ctx, tokens, o.tokensFile);
      if (r.purpose === undefined) throw new RemoteError('refused', 'a re-identification request needs a purpose of use', { place: { field: '--purpose' }, hint: 'phiguard --purpose HRESCH --server … linkage request …' });
      say(requestedLine(await r.client.json<RequestView>('POST', '/v1/linkage/requests', { ...p(r), body: { tokens: list, reason: o.reason } })));
    },

    async list(r, o) {
      const status = statusOption(o.status);
      const query = new URLSearchParams({ scope: o.review === true ? 'review' : 'mine', ...(status === undefined ? {} : { status }), ...(o.limit === undefined ? {} : { limit: String(o.limit) }) });
      for (const line of listLines(await r.client.json<RequestView[]>('GET', `/v1/linkage/requests?${query.toString()}`, p(r)))) say(line);
    },

    async show(r, id) {
      for (const line of showLines(await r.client.json<RequestView>('GET', `/v1/linkage/requests/${seg(id)}`, p(r)))) say(line);
    },

    async approve(r, id) {
      say(decidedLine(await r.client.json<RequestView>('POST', `/v1/linkage/requests/${seg(id)}/approve`, { ...p(r), body: {} })));
    },

    async deny(r, id, o) {
      say(decidedLine(await r.client.json<RequestView>('POST', `/v1/linkage/requests/${seg(id)}/deny`, { ...p(r), body: o.reason === undefined ? {} : { reason: o.reason } })));
    },

    async withdraw(r, id) {
      say(withdrawnLine(await r.client.json<RequestView>('POST', `/v1/linkage/requests/${seg(id)}/withdraw`, { ...p(r), body: {} })));
    },

    async reveal(r, id, o) {
      const format = checkRevealTarget(ctx, o);
      const file = o.out === undefined ? undefined : openRevealFile(ctx, o.out);
      try {
        const answer = await r.client.json<{ requestId: string; purpose: string; values: RevealedRow[] }>('POST', `/v1/linkage/requests/${seg(id)}/reveal`, { ...p(r), body: {} });
        writeRevealed(ctx, file, answer.values, format, answer.requestId, answer.purpose);
      } catch (error) {
        if (file !== undefined) discard(file);
        throw error;
      }
    },
  };
}
