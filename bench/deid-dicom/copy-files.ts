// The physical limit of a file-to-file tool: each file opened, read, a new output created, written,
// both closed, with blocking calls and one reused buffer (what `cp` does: no stat, no hashing).
import { closeSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import path from 'node:path';

const buffer = Buffer.allocUnsafeSlow(1 << 20);

/** Copies every file into a new folder `outDir`, keeping base names. */
export function copyFiles(files: readonly string[], outDir: string): void {
  mkdirSync(outDir);
  for (const file of files) {
    const input = openSync(file, 'r');
    try {
      const output = openSync(path.join(outDir, path.basename(file)), 'w', 0o600);
      try {
        for (let n = readSync(input, buffer, 0, buffer.length, null); n > 0; n = readSync(input, buffer, 0, buffer.length, null)) {
          for (let done = 0; done < n; ) done += writeSync(output, buffer, done, n - done);
        }
      } finally {
        closeSync(output);
      }
    } finally {
      closeSync(input);
    }
  }
}
