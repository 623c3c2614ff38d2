import { spawn } from 'node:child_process';

/**
 * Opens a URL in the user's browser (`xdg-open` on Linux, `open` on macOS): true when the opener
 * started. The URL goes as one argument, never through a shell.
 */
export function openBrowser(url: string): Promise<boolean> {
  const opener = process.platform === 'darwin' ? 'open' : 'xdg-open';
  return new Promise((resolve) => {
    const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
    child.once('error', () => { resolve(false); });
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}
