import { appendFileSync, existsSync, fsyncSync, openSync, closeSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Place } from '@phiguard/core';
import type { TallyEntry } from '@phiguard/deid';

/** The journal file's name inside the output folder. */
export const JOURNAL_FILE = '.phiguard-deid-journal.jsonl';

export interface JournalHeader {
  readonly kind: 'header';
  readonly format: string;
  readonly profileHash: string;
  readonly keyId: string;
}

export interface RecordedProblem {
  readonly code: string;
  readonly message: string;
  readonly place: Place;
}

/** One finished file: enough to rebuild its part of the manifest without reading it again. */
export interface JournalEntry {
  readonly kind: 'file';
  readonly relative: string;
  readonly inputSha256: string;
  readonly inputBytes: number;
  readonly status: 'done' | 'failed';
  readonly outputSha256?: string;
  readonly outputBytes?: number;
  readonly records: number;
  readonly tally: readonly TallyEntry[];
  readonly problems: readonly RecordedProblem[];
}

/**
 * An append-only JSON-lines journal in the output folder, so an interrupted batch resumes where it
 * stopped: each line is written (and fsynced) after its output file was renamed into place.
 * It holds relative paths and hashes, never data values.
 */
export class DeidJournal {
  readonly file: string;
  readonly #entries = new Map<string, JournalEntry>();

  private constructor(file: string) {
    this.file = file;
  }

  /** Opens (or starts) the journal; returns `mismatch` when it was written under another profile, key or format. */
  static open(outDir: string, header: JournalHeader): { ok: true; journal: DeidJournal } | { ok: false; reason: 'mismatch' } {
    const journal = new DeidJournal(path.join(outDir, JOURNAL_FILE));
    if (!existsSync(journal.file)) {
      journal.#append(header);
      return { ok: true, journal };
    }
    const lines = readFileSync(journal.file, 'utf8').split('\n');
    for (const [i, line] of lines.entries()) {
      if (line.trim() === '') continue;
      let value: JournalHeader | JournalEntry;
      try {
        value = JSON.parse(line) as JournalHeader | JournalEntry;
      } catch {
        continue; // a torn last line after a crash: that file is simply done again
      }
      if (i === 0) {
        if (value.kind !== 'header' || value.profileHash !== header.profileHash || value.keyId !== header.keyId || value.format !== header.format) {
          return { ok: false, reason: 'mismatch' };
        }
      } else if (value.kind === 'file') {
        journal.#entries.set(value.relative, value);
      }
    }
    return { ok: true, journal };
  }

  /** The finished entry for this relative path and input content, if any. */
  finished(relative: string, inputSha256: string): JournalEntry | undefined {
    const entry = this.#entries.get(relative);
    return entry?.inputSha256 === inputSha256 ? entry : undefined;
  }

  record(entry: JournalEntry): void {
    this.#entries.set(entry.relative, entry);
    this.#append(entry);
  }

  #append(value: JournalHeader | JournalEntry): void {
    appendFileSync(this.file, `${JSON.stringify(value)}\n`, { mode: 0o600 });
    const fd = openSync(this.file, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

