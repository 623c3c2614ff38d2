import { open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isSinkId } from './audit-sink.ts';
import type { CursorStore } from './ship-source.ts';
import { SiemError } from './siem-error.ts';

/**
 * Cursors in one JSON file (`{"<sinkId>": next, ...}`), durable across kill -9 and power loss:
 * each update writes a temporary file, fsyncs it, renames it over the old one (atomic on POSIX)
 * and fsyncs the directory, so a reader sees either the old or the new file, never a torn one.
 * Updates are serialized; one process owns the file.
 */
export class FileCursorStore implements CursorStore {
  readonly #path: string;
  #cursors: Map<string, number> | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(path: string) {
    this.#path = path;
  }

  async getCursor(sinkId: string): Promise<number> {
    if (!isSinkId(sinkId)) throw new TypeError('sink ids must be 1-64 of [A-Za-z0-9._-]');
    return (await this.#load()).get(sinkId) ?? 0;
  }

  setCursor(sinkId: string, next: number): Promise<void> {
    if (!isSinkId(sinkId)) throw new TypeError('sink ids must be 1-64 of [A-Za-z0-9._-]');
    if (!Number.isSafeInteger(next) || next < 0) throw new TypeError('cursor must be a non-negative integer');
    const write = this.#queue.then(async () => {
      const cursors = new Map(await this.#load());
      cursors.set(sinkId, next);
      await this.#persist(cursors);
      this.#cursors = cursors;
    });
    this.#queue = write.catch(() => undefined);
    return write;
  }

  async #load(): Promise<Map<string, number>> {
    if (this.#cursors !== undefined) return this.#cursors;
    let text: string;
    try {
      text = await readFile(this.#path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return (this.#cursors = new Map());
      throw new SiemError('cursor-io', 'cannot read the cursor file', { cause: error, place: { file: this.#path } });
    }
    this.#cursors = parseCursors(text, this.#path);
    return this.#cursors;
  }

  async #persist(cursors: Map<string, number>): Promise<void> {
    const temporary = `${this.#path}.tmp`;
    try {
      const file = await open(temporary, 'w', 0o600);
      try {
        await file.writeFile(`${JSON.stringify(Object.fromEntries(cursors))}\n`);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temporary, this.#path);
      const dir = await open(dirname(this.#path), 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => undefined);
      throw new SiemError('cursor-io', 'cannot write the cursor file', { cause: error, place: { file: this.#path } });
    }
  }
}

function parseCursors(text: string, file: string): Map<string, number> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SiemError('cursor-io', 'cursor file is not JSON', { cause: error, place: { file } });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SiemError('cursor-io', 'cursor file must hold an object', { place: { file } });
  }
  const cursors = new Map<string, number>();
  for (const [key, value] of Object.entries(parsed)) {
    if (!isSinkId(key) || typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw new SiemError('cursor-io', 'cursor file holds a bad entry', { place: { file, path: isSinkId(key) ? `$.${key}` : '$' } });
    }
    cursors.set(key, value);
  }
  return cursors;
}
