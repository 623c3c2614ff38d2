// The api bench's second load generator: wrk (C, epoll; the Debian package), when installed. It
// costs the machine a fraction of the Node client's CPU per request, so the server's own cost
// weighs more in the ratio: the authorization overhead as a lean client sees it.
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface WrkResult {
  readonly ok: number;
  readonly failed: number;
  readonly seconds: number;
}

/** True when `wrk` runs here. */
export function wrkAvailable(): boolean {
  return spawnSync('wrk', ['--version'], { encoding: 'utf8' }).error === undefined;
}

/**
 * `connections` keep-alive connections from one wrk thread for `seconds` against `url`, with
 * the bench's headers (wrk fails the promise when it exits non-zero). Requests that did not answer 2xx/3xx, and socket errors, count as failed.
 */
export async function runWrk(url: string, token: string, connections: number, seconds: number): Promise<WrkResult> {
  // Asynchronous: the server under test runs in the calling process and must keep answering.
  const r = await execFileAsync(
    'wrk',
    ['-t1', `-c${String(connections)}`, `-d${String(seconds)}s`, '-H', `authorization: Bearer ${token}`, '-H', 'x-purpose-of-use: HRESCH', url],
    { encoding: 'utf8', timeout: (seconds + 30) * 1000 },
  );
  // "  123456 requests in 7.00s, 12.34MB read", then optional "Non-2xx or 3xx responses: N" and
  // "Socket errors: connect 0, read 0, write 0, timeout 0".
  const total = /(\d+) requests in ([\d.]+)(ms|s|m)/.exec(r.stdout);
  if (total === null) throw new Error('wrk: no request count in its output');
  const unit = total[3] === 'ms' ? 1 / 1000 : total[3] === 'm' ? 60 : 1;
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(r.stdout)?.[1] ?? 0);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(r.stdout);
  const errors = socketErrors === null ? 0 : socketErrors.slice(1).reduce((n, v) => n + Number(v), 0);
  const requests = Number(total[1]);
  return { ok: requests - non2xx, failed: non2xx + errors, seconds: Number(total[2]) * unit };
}
