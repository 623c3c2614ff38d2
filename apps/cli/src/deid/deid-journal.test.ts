import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeidJournal, JOURNAL_FILE, type JournalEntry } from './deid-journal.ts';

const header = { kind: 'header', format: 'dicom', profileHash: `sha256:${'a'.repeat(64)}`, keyId: 'k1' } as const;
const entry = (output: string, inputSha256: string): JournalEntry => ({
  kind: 'file', output, inputSha256, inputBytes: 10, status: 'done', outputSha256: 'f'.repeat(64), outputBytes: 9, records: 1, tally: [], problems: [],
});

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

function folder(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'deid-journal-'));
  dirs.push(d);
  return d;
}

function open(dir: string): DeidJournal {
  const opened = DeidJournal.open(dir, header);
  if (!opened.ok) throw new Error('journal mismatch');
  return opened.journal;
}

describe('DeidJournal', () => {
  it('has every line on disk before close: a killed run resumes from all it recorded', () => {
    const dir = folder();
    const first = open(dir);
    first.record(entry('a.dcm', '1'.repeat(64)));
    first.record(entry('b/c.dcm', '2'.repeat(64)));
    // No close(): the process "dies" here; a second run reads the same file.
    const again = open(dir);
    expect(again.finished('a.dcm', '1'.repeat(64))?.status).toBe('done');
    expect(again.finished('b/c.dcm', '2'.repeat(64))?.outputSha256).toBe('f'.repeat(64));
    expect(again.finished('a.dcm', '3'.repeat(64))).toBeUndefined(); // changed input: done again
    first.close();
    again.close();
  });

  it('appends after close and reopen, one JSON line per record, header first', () => {
    const dir = folder();
    const j = open(dir);
    j.record(entry('a.dcm', '1'.repeat(64)));
    j.close();
    j.close(); // idempotent
    j.record(entry('b.dcm', '2'.repeat(64)));
    j.close();
    const lines = readFileSync(path.join(dir, JOURNAL_FILE), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { kind: string; output?: string });
    expect(lines.map((l) => l.output ?? l.kind)).toEqual(['header', 'a.dcm', 'b.dcm']);
  });

  it('refuses a journal written under another profile or output naming', () => {
    const dir = folder();
    open(dir).close();
    expect(DeidJournal.open(dir, { ...header, profileHash: `sha256:${'b'.repeat(64)}` })).toEqual({ ok: false, reason: 'mismatch' });
    // Written without `names` (before output naming, or with `keep`): outputs kept the input names.
    expect(DeidJournal.open(dir, { ...header, names: 'pseudonymize' })).toEqual({ ok: false, reason: 'mismatch' });
    expect(DeidJournal.open(dir, { ...header, names: 'keep' }).ok).toBe(true);
  });

  it('reads entries of journals written before output naming (keyed by `relative`, the output path then)', () => {
    const dir = folder();
    const j = open(dir);
    j.close();
    const legacy = { kind: 'file', relative: 'old/a.dcm', inputSha256: '1'.repeat(64), inputBytes: 10, status: 'done', outputSha256: 'f'.repeat(64), outputBytes: 9, records: 1, tally: [], problems: [] };
    writeFileSync(path.join(dir, JOURNAL_FILE), `${JSON.stringify(legacy)}\n`, { flag: 'a' });
    const again = open(dir);
    expect(again.finished('old/a.dcm', '1'.repeat(64))?.output).toBe('old/a.dcm');
    again.close();
  });
});
