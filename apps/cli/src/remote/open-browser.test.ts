// openBrowser with a stand-in `xdg-open` first on PATH: the URL arrives as one argument (no shell
// splits it at `&`), and a missing opener is reported as false, not thrown.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openBrowser } from './open-browser.ts';

const savedPath = process.env.PATH;
const dirs: string[] = [];
afterEach(() => {
  process.env.PATH = savedPath;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe.runIf(process.platform === 'linux')('openBrowser', () => {
  it('hands the whole URL to xdg-open as one argument', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'phiguard-opener-'));
    dirs.push(dir);
    const seen = path.join(dir, 'seen');
    writeFileSync(path.join(dir, 'xdg-open'), `#!/bin/sh\nprintf '%s|%s' "$#" "$1" > '${seen}'\n`);
    chmodSync(path.join(dir, 'xdg-open'), 0o755);
    process.env.PATH = `${dir}:${savedPath ?? ''}`;
    const url = 'https://localhost:8443/login?state=abc&code_challenge=def;echo&redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2Fcallback';
    expect(await openBrowser(url)).toBe(true);
    for (let i = 0; i < 200 && !existsSync(seen); i++) await new Promise((r) => setTimeout(r, 10));
    await expect.poll(() => readFileSync(seen, 'utf8')).toBe(`1|${url}`);
  });

  it('answers false when there is no opener', async () => {
    process.env.PATH = mkdtempSync(path.join(os.tmpdir(), 'phiguard-empty-'));
    dirs.push(process.env.PATH);
    expect(await openBrowser('https://localhost:8443/login')).toBe(false);
  });
});
