import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { validateAuditEvent, type AuditEventInput, type AuditRecorder } from '@phiguard/audit';
import { ManualClock } from '@phiguard/core';
import { createOutputNamer, DeidError, DeidTally, deidKeyFromSecret, ed25519ManifestSigner, verifyManifest, type OutputNamer, type SignedDeidManifest } from '@phiguard/deid';
import { JOURNAL_FILE } from './deid-journal.ts';
import { MANIFEST_FILE, runDeidBatch, type BatchOptions, type FormatProcessor } from './batch-runner.ts';
import { printBatchReport } from './batch-report.ts';

// A small real format for the runner's own tests: lines `NAME=<value>` become `NAME=[removed]`;
// a file holding `BROKEN` fails with a typed error; a line `BAD` is a failed record.
const linesFormat: FormatProcessor & { calls: number } = {
  format: 'lines',
  calls: 0,
  accepts: (rel) => rel.endsWith('.txt'),
  process(input) {
    this.calls += 1;
    const text = Buffer.from(input).toString('utf8');
    if (text.includes('BROKEN')) {
      const e = new DeidError('hl7-no-msh', 'no header', { place: { line: 1 } });
      return { ok: false, problem: { code: e.code, message: e.message, place: e.place ?? {} } };
    }
    const tally = new DeidTally();
    const problems: { code: string; message: string; place: { index: number; line: number } }[] = [];
    const lines = text.split('\n').map((line, i) => {
      if (line === 'BAD') {
        problems.push({ code: 'bad-record', message: 'bad record', place: { index: i, line: i + 1 } });
        return '';
      }
      if (!line.startsWith('NAME=')) return line;
      tally.add('name', 'lines.NAME:redact');
      return 'NAME=[removed]';
    });
    return { ok: true, output: Buffer.from(lines.join('\n')), records: lines.length, tally, problems };
  },
};

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

function setup(): { root: string; options: BatchOptions; out: PassThrough; events: AuditEventInput[]; publicKey: KeyObject } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'deid-batch-'));
  dirs.push(root);
  mkdirSync(path.join(root, 'in/a/b'), { recursive: true });
  writeFileSync(path.join(root, 'in/one.txt'), 'NAME=John Smith\nage 40');
  writeFileSync(path.join(root, 'in/a/b/two.txt'), 'x\nNAME=Jane Roe\nBAD');
  writeFileSync(path.join(root, 'in/a/broken.txt'), 'BROKEN');
  writeFileSync(path.join(root, 'in/a/skip.bin'), 'NAME=ignored');
  const out = new PassThrough();
  const events: AuditEventInput[] = [];
  const recorder: AuditRecorder = {
    record: (event) => {
      events.push(validateAuditEvent(event));
      return Promise.resolve({ index: events.length - 1, checkpointSize: events.length });
    },
  };
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const options: BatchOptions = {
    inputs: ['in'],
    outDir: 'out',
    cwd: root,
    processor: linesFormat,
    profile: { id: 'safe-harbor', version: '1', hash: `sha256:${'a'.repeat(64)}` },
    keyId: `sha256:${'b'.repeat(64)}`,
    signer: ed25519ManifestSigner(privateKey),
    clock: new ManualClock(Date.parse('2026-11-24T00:00:00Z')),
    stdout: out,
    stderr: out,
    recorder,
  };
  return { root, options, out, events, publicKey };
}

describe('runDeidBatch', () => {
  it('keeps the layout, lists failures and goes on, signs the manifest and records deid.run', async () => {
    const { root, options, events, out, publicKey } = setup();
    const summary = await runDeidBatch(options);
    expect(readFileSync(path.join(root, 'out/one.txt'), 'utf8')).toBe('NAME=[removed]\nage 40');
    expect(readFileSync(path.join(root, 'out/a/b/two.txt'), 'utf8')).toBe('x\nNAME=[removed]\n');
    expect(existsSync(path.join(root, 'out/a/broken.txt'))).toBe(false);
    expect(existsSync(path.join(root, 'out/a/skip.bin'))).toBe(false);
    expect(summary.failed.map((f) => f.relative)).toEqual(['a/broken.txt']);
    expect(summary.recordProblems).toHaveLength(1);
    const m = summary.manifest;
    expect(m.totals).toEqual({ files: 3, filesFailed: 1, records: 5, recordsFailed: 1 });
    expect(m.counts.byCategory).toEqual({ name: 2 });
    const signed = JSON.parse(readFileSync(path.join(root, 'out', MANIFEST_FILE), 'utf8')) as SignedDeidManifest;
    expect(verifyManifest(signed, publicKey)).toBe(true);
    expect(verifyManifest(signed, generateKeyPairSync('ed25519').publicKey)).toBe(false);
    expect(signed.hash).toBe(summary.signed.hash);
    expect(events).toHaveLength(1);
    expect(events[0]?.action).toBe('deid.run');
    expect(events[0]?.details?.manifestHash).toBe(summary.signed.hash);
    expect(statSync(path.join(root, 'out/one.txt')).mode & 0o077).toBe(0);
    const printed = String(out.read() ?? '');
    expect(printed).toContain('deid 1/3 a/b/two.txt: ok 3 records');
    for (const seeded of ['John Smith', 'Jane Roe']) {
      expect(printed).not.toContain(seeded);
      expect(JSON.stringify(signed)).not.toContain(seeded);
      expect(readFileSync(path.join(root, 'out', JOURNAL_FILE), 'utf8')).not.toContain(seeded);
    }
  });

  it('says how many files of other formats it left out, by extension only (a file name can hold PHI)', async () => {
    const { root, options } = setup();
    writeFileSync(path.join(root, 'in/a/Harold_Whitfield.Whitfield'), 'x');
    writeFileSync(path.join(root, 'in/a/chart-of-harold'), 'x');
    const summary = await runDeidBatch(options);
    expect(summary.skippedByExtension).toEqual({ '.bin': 1, '(other)': 2 });
    const report = new PassThrough();
    printBatchReport(summary, { stdout: report, stderr: report });
    const printed = String(report.read() ?? '');
    expect(printed).toContain('not taken (other formats)  3 ((other) 2, .bin 1)');
    expect(printed).toContain('note: files in the input folders that this command does not read were left out');
    expect(printed).not.toMatch(/whitfield|harold|skip\.bin/i);
  });

  it('resumes from the journal: done files are not processed again, changed or missing outputs are', async () => {
    const { root, options } = setup();
    await runDeidBatch(options);
    const before = linesFormat.calls;
    const again = await runDeidBatch(options);
    expect(again.resumed).toBe(3);
    expect(linesFormat.calls).toBe(before);
    expect(again.manifest.totals).toEqual({ files: 3, filesFailed: 1, records: 5, recordsFailed: 1 });
    rmSync(path.join(root, 'out/one.txt'));
    writeFileSync(path.join(root, 'in/a/b/two.txt'), 'NAME=Changed Person');
    const third = await runDeidBatch(options);
    expect(third.resumed).toBe(1);
    expect(linesFormat.calls).toBe(before + 2);
    expect(readFileSync(path.join(root, 'out/one.txt'), 'utf8')).toBe('NAME=[removed]\nage 40');
  });

  it('refuses to resume under another profile', async () => {
    const { options } = setup();
    await runDeidBatch(options);
    await expect(runDeidBatch({ ...options, profile: { ...options.profile, hash: `sha256:${'c'.repeat(64)}` } })).rejects.toMatchObject({ code: 'journal-mismatch' });
  });

  it('with pseudonymized names, nothing under the output folder holds an input name: files, folders, journal, manifest', async () => {
    const { root, options, out: progress } = setup();
    const folder = path.join(root, 'in/WHITFIELD^HAROLD_MRN4455667');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'Harold_Whitfield_19450312.txt'), 'NAME=Harold');
    writeFileSync(path.join(folder, 'Whitfield-broken.txt'), 'BROKEN');
    // As the real formats do, failures name their file.
    const naming: FormatProcessor = {
      format: 'lines',
      accepts: (relative) => linesFormat.accepts(relative),
      process: async (input, relative) => {
        const r = await linesFormat.process(input, relative);
        return r.ok ? r : { ok: false, problem: { ...r.problem, place: { ...r.problem.place, file: relative } } };
      },
    };
    const namer = createOutputNamer(deidKeyFromSecret(Buffer.alloc(32, 9)));
    const summary = await runDeidBatch({ ...options, processor: naming, namer });
    const out = path.join(root, 'out');
    const written = readdirSync(out, { recursive: true }).map(String);
    expect(written).toHaveLength(2 + 2 + 4); // manifest and journal; folders a, a/b and the patient's; outputs one, two and Harold's
    const everything = [...written, readFileSync(path.join(out, JOURNAL_FILE), 'utf8'), readFileSync(path.join(out, MANIFEST_FILE), 'utf8')].join('\n');
    for (const seed of ['WHITFIELD', 'Whitfield', 'HAROLD', 'Harold', '4455667', '19450312', 'two.txt', 'broken']) expect(everything, seed).not.toContain(seed);
    // The summary keeps both names; the console report shows one of them.
    expect(summary.failed.map((f) => [f.relative, f.output, f.problem.place.file])).toEqual([
      ['WHITFIELD^HAROLD_MRN4455667/Whitfield-broken.txt', namer.path('WHITFIELD^HAROLD_MRN4455667/Whitfield-broken.txt'), 'WHITFIELD^HAROLD_MRN4455667/Whitfield-broken.txt'],
      ['a/broken.txt', namer.path('a/broken.txt'), 'a/broken.txt'],
    ]);
    // Piped or logged (--report-names output, the runner's default): progress and problem lines name outputs only.
    const logged = new PassThrough();
    printBatchReport(summary, { stdout: logged, stderr: logged }, 'output');
    const log = `${String(progress.read() ?? '')}${String(logged.read() ?? '')}`;
    for (const seed of ['WHITFIELD', 'Whitfield', 'HAROLD', 'Harold', '4455667', '19450312', 'two.txt', 'broken']) expect(log, seed).not.toContain(seed);
    const brokenOut = namer.path('WHITFIELD^HAROLD_MRN4455667/Whitfield-broken.txt');
    expect(log).toContain(`failed: ${brokenOut}: no header (file ${brokenOut}, line 1) [hl7-no-msh]`);
    expect(log).toContain(`: ok 1 records`);
    // At a terminal (--report-names input): the inputs, for the person who ran it.
    const terminal = new PassThrough();
    printBatchReport(summary, { stdout: terminal, stderr: terminal }, 'input');
    expect(String(terminal.read() ?? '')).toContain(
      'failed: WHITFIELD^HAROLD_MRN4455667/Whitfield-broken.txt: no header (file WHITFIELD^HAROLD_MRN4455667/Whitfield-broken.txt, line 1) [hl7-no-msh]',
    );
    const inputLines = new PassThrough();
    await runDeidBatch({ ...options, processor: naming, namer, reportNames: 'input', stdout: inputLines });
    expect(String(inputLines.read() ?? '')).toContain(`WHITFIELD^HAROLD_MRN4455667/Harold_Whitfield_19450312.txt → ${namer.path('WHITFIELD^HAROLD_MRN4455667/Harold_Whitfield_19450312.txt')}: ok 1 records`);
    expect(readFileSync(path.join(out, namer.path('WHITFIELD^HAROLD_MRN4455667/Harold_Whitfield_19450312.txt')), 'utf8')).toBe('NAME=[removed]');
    // Resumable under the same names; another --names is another run.
    expect((await runDeidBatch({ ...options, processor: naming, namer })).resumed).toBe(5);
    await expect(runDeidBatch({ ...options, processor: naming })).rejects.toMatchObject({ code: 'journal-mismatch' });
  });

  it('reports two inputs named alike instead of writing one over the other', async () => {
    const { options } = setup();
    const same: OutputNamer = { naming: 'pseudonymize', path: () => 'same.txt', component: () => 'same.txt' };
    const summary = await runDeidBatch({ ...options, namer: same });
    expect(summary.failed.filter((f) => f.problem.code === 'output-collision')).toHaveLength(2);
    expect(summary.manifest.totals.files).toBe(1);
  });
});
