import { newLoopbackSecrets } from '@phiguard/server';
import type { CliContext } from '../context.ts';
import { apiCall, describeProblem, type RemoteTarget } from '../remote/api-client.ts';
import { saveCliSession } from '../remote/cli-session.ts';
import { startLoopbackListener, type LoopbackAnswer } from '../remote/loopback-listener.ts';
import { openBrowser } from '../remote/open-browser.ts';

/** How long `phiguard login --passkey` waits for the browser. */
export const BROWSER_WAIT_MS = 5 * 60_000;

export interface PasskeyLoginOptions {
  readonly target: RemoteTarget;
  readonly home: string;
  readonly caFile?: string;
  readonly username?: string;
  /** false: print the URL instead of opening a browser (`--no-browser`). */
  readonly openBrowser: boolean;
  readonly waitMs?: number;
}

/**
 * `phiguard login --passkey`: password and passkey in the browser, the session in the CLI, the
 * way native apps do OAuth (RFC 8252): a loopback listener on 127.0.0.1, the server's login page
 * opened with a `state` nonce (RFC 6749 §10.12) and an S256 code challenge (RFC 7636 §4.2); the
 * page hands back a one-time code, which only the holder of the verifier can exchange. Saves the
 * same cli-session.json as the password + TOTP login. False when the login did not complete.
 */
export async function loginWithPasskey(ctx: CliContext, options: PasskeyLoginOptions): Promise<boolean> {
  if (!options.target.server.startsWith('https://')) {
    ctx.stderr.write('login refused: the server URL must be https://\n');
    return false;
  }
  const secrets = newLoopbackSecrets();
  const listener = await startLoopbackListener(secrets.state, (why) => {
    ctx.stderr.write(`refused an answer on the login listener: ${why}\n`);
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const page = new URL('/login', `${options.target.server}/`);
    page.search = new URLSearchParams({
      state: secrets.state, code_challenge: secrets.challenge, code_challenge_method: 'S256', redirect_uri: listener.redirectUri,
      ...(options.username === undefined ? {} : { login_hint: options.username }),
    }).toString();
    const opened = options.openBrowser && (await openBrowser(page.href));
    ctx.stderr.write(opened
      ? `Opened your browser to log in with your passkey. If it did not open, visit:\n  ${page.href}\n`
      : `Open this address in a browser on this machine and log in with your password and passkey:\n  ${page.href}\n`);
    ctx.stderr.write('Waiting for the browser…\n');
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => { resolve('timeout'); }, options.waitMs ?? BROWSER_WAIT_MS)));
    const answer: LoopbackAnswer | 'timeout' = await Promise.race([listener.answer, timeout]);
    if (answer === 'timeout') {
      ctx.stderr.write(`login timed out: no answer from the browser within ${String((options.waitMs ?? BROWSER_WAIT_MS) / 1000)} s\n`);
      return false;
    }
    if (answer.kind === 'denied') {
      ctx.stderr.write('login cancelled in the browser\n');
      return false;
    }
    const exchange = await apiCall(options.target, 'POST', '/v1/auth/loopback/token', { body: { code: answer.code, codeVerifier: secrets.verifier, state: secrets.state, redirectUri: listener.redirectUri } });
    if (exchange.status !== 200) {
      answer.reply(false, 'The command line could not complete the login. See your terminal.');
      ctx.stderr.write(`login refused: ${describeProblem(exchange)}\n`);
      return false;
    }
    const session = exchange.body as { sessionToken: string; idleTimeoutSeconds: number };
    saveCliSession(options.home, { server: options.target.server, sessionToken: session.sessionToken, ...(options.caFile === undefined ? {} : { caFile: options.caFile }) });
    answer.reply(true, 'Logged in: you can close this tab and return to your terminal.');
    ctx.stdout.write(`logged in to ${options.target.server} with a passkey (session ends after ${String(session.idleTimeoutSeconds / 60)} minutes without activity)\n`);
    return true;
  } finally {
    clearTimeout(timer);
    await listener.close();
  }
}
