import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { KeysError, type EncryptionContext } from '@phiguard/keys';
import { SingleBar } from 'cli-progress';
import type { CliContext } from '../context.ts';

const PROGRESS_MIN_BYTES = 16 * 2 ** 20;

/** `--context key=value` pairs (ids and codes only) as the envelope's encryption context. */
export function parseContext(pairs: readonly string[] | undefined): EncryptionContext {
  return Object.fromEntries(
    (pairs ?? []).map((pair) => {
      const at = pair.indexOf('=');
      if (at < 1) throw new KeysError('context-invalid', 'context must be key=value', { place: { field: 'context' } });
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
}

/** `keys unseal FILE` writes FILE less `.pge`, or FILE.out. */
export function unsealedName(file: string): string {
  return file.endsWith('.pge') ? file.slice(0, -4) : `${file}.out`;
}

/**
 * input → transform → a temporary file beside `out`, renamed over it only on success (so an
 * unseal that fails on any frame leaves no output). Progress on stderr for files of 16 MiB and
 * more: a bar on a terminal, a plain line every 10% otherwise. Returns the bytes read.
 */
export async function streamToFile(
  ctx: Pick<CliContext, 'stderr'>,
  input: string,
  out: string,
  transform: (source: AsyncIterable<Buffer>) => AsyncIterable<Buffer>,
  verb: string,
): Promise<number> {
  const size = (await stat(input)).size;
  const temp = `${out}.${String(process.pid)}.partial`;
  const bar =
    ctx.stderr.isTTY === true && size >= PROGRESS_MIN_BYTES
      ? new SingleBar({ format: `${verb} [{bar}] {percentage}% {value}/{total} MiB`, stream: ctx.stderr })
      : undefined;
  bar?.start(Math.ceil(size / 2 ** 20), 0);
  let read = 0;
  let reported = 0;
  const plain = bar === undefined && size >= PROGRESS_MIN_BYTES;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      read += chunk.length;
      bar?.update(Math.floor(read / 2 ** 20));
      const tenth = Math.floor((read * 10) / size);
      if (plain && tenth > reported) {
        reported = tenth;
        ctx.stderr.write(`${verb}: ${String(tenth * 10)}%\n`);
      }
      callback(null, chunk);
    },
  });
  try {
    await pipeline(createReadStream(input, { highWaterMark: 1 << 20 }), counter, transform, createWriteStream(temp, { mode: 0o600 }));
    await rename(temp, out);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  } finally {
    bar?.stop();
  }
  return read;
}
