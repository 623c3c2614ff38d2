import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { systemClock } from '@phiguard/core';
import { MemoryAuditRecorder } from '@phiguard/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { runDeidJob } from './deid-job.ts';
import { serverProcessors } from './deid-processors.ts';
import { DeidWorkerPool } from './deid-worker-pool.ts';
import { serveDeid } from './serve-deid.ts';

// The engine starts while the upload is still arriving (HL7 v2 and FHIR NDJSON streamed): shown
// without timing by an upload that sends half its bytes and then waits for the first output piece
// before it sends the rest (with the whole body spooled first it would wait forever). Then: the
// output equals the local engine's, a cut upload fails as transfer-aborted, and a worker that dies
// mid-request fails that request only (deid-worker-lost), with no seeded identifier anywhere.
const home = mkdtempSync(path.join(os.tmpdir(), 'serve-deid-overlap-'));
const recorder = new MemoryAuditRecorder();
const pool = new DeidWorkerPool(home);
const service = serveDeid(home, { stderr: process.stderr }, { recorder, clock: systemClock, pool });
const caller = { actor: { kind: 'user' as const, id: 'usr_06h0t3evnnbt53qmj7y0ettqz4' }, requestId: 'req-1', purpose: 'HOPERAT' as const };
const SEEDS = ['QUIXOTE-SMITHERS', 'Quixote', '99887766', '555-123-4567', '12 Elm St', 'JOSÉ'];

afterAll(async () => {
  await service.close();
  rmSync(home, { recursive: true, force: true });
});

/** HL7 messages with seeded identifiers to `mb` MiB (over the 8 MiB streaming threshold); the last one holds a UTF-8 name. */
function hl7Batch(mb: number): Buffer {
  const parts: string[] = [];
  let bytes = 0;
  for (let i = 0; bytes < mb * 2 ** 20; i++) {
    const m = `MSH|^~\\&|APP|FAC|REC|RFAC|20240101120000||ADT^A01|MSG${String(i)}|P|2.5\rPID|1||${String(99887766 + i)}^^^HOSP^MR||QUIXOTE-SMITHERS^JONATHAN||19620417|M|||12 Elm St^^Springfield^IL^62701||555-123-4567\r`;
    parts.push(m);
    bytes += m.length;
  }
  parts.push('MSH|^~\\&|APP|FAC|REC|RFAC|20240101120000||ADT^A01|LAST|P|2.5\rPID|1||99887766^^^HOSP^MR||QUIXOTE-SMITHERS^JOSÉ||19620417|M\r');
  return Buffer.from(parts.join(''), 'utf8');
}

/** FHIR Patient NDJSON lines to `mb` MiB. */
function ndjson(mb: number): Buffer {
  const lines: string[] = [];
  let bytes = 0;
  for (let i = 0; bytes < mb * 2 ** 20; i++) {
    const line = `${JSON.stringify({ resourceType: 'Patient', id: `p${String(i)}`, name: [{ family: 'Quixote', given: ['Jonathan'] }], telecom: [{ system: 'phone', value: '555-123-4567' }], address: [{ line: ['12 Elm St'] }], birthDate: '1962-04-17' })}\n`;
    lines.push(line);
    bytes += line.length;
  }
  return Buffer.from(lines.join(''), 'utf8');
}

/**
 * A body that sends its first half, then waits for `release` before the rest (or fails there when
 * `cut`); `state.ended` tells whether it was all sent.
 */
function heldBody(bytes: Buffer, release: Promise<unknown>, state: { ended: boolean }, cut = false): AsyncGenerator<Uint8Array> {
  const half = Math.floor(bytes.length / 2);
  return (async function* () {
    for (let i = 0; i < half; i += 65_536) yield bytes.subarray(i, Math.min(half, i + 65_536));
    await release;
    if (cut) throw new Error('socket hang up');
    for (let i = half; i < bytes.length; i += 65_536) yield bytes.subarray(i, Math.min(bytes.length, i + 65_536));
    state.ended = true;
  })();
}

/** The output callback of a request: collects the pieces and resolves `first` at the first one, noting whether the upload had ended. */
function collector(state: { ended: boolean }): { pieces: Buffer[]; first: Promise<void>; endedAtFirst: () => boolean | undefined; output: (p: Uint8Array) => Promise<void> } {
  const pieces: Buffer[] = [];
  let endedAtFirst: boolean | undefined;
  let resolve = (): void => undefined;
  const first = new Promise<void>((r) => {
    resolve = r;
  });
  return {
    pieces, first, endedAtFirst: () => endedAtFirst,
    output: (p) => {
      endedAtFirst ??= state.ended;
      pieces.push(Buffer.from(p));
      resolve();
      return Promise.resolve();
    },
  };
}

/** What the local engine writes for these bytes (the oracle). */
async function localOutput(format: string, relative: string, bytes: Buffer): Promise<Buffer> {
  const file = path.join(home, `local-${relative}`);
  writeFileSync(file, bytes);
  const out: Buffer[] = [];
  const outcome = await runDeidJob(serverProcessors(home, process.stderr)(format, 'safe-harbor'), { format, profile: 'safe-harbor', relative, input: file, bytes: bytes.length, output: '' }, { write: (p) => out.push(Buffer.from(p)) });
  expect(outcome.ok).toBe(true);
  rmSync(file);
  return Buffer.concat(out);
}

function expectNoSeeds(...values: unknown[]): void {
  const text = JSON.stringify(values);
  for (const seed of SEEDS) expect(text).not.toContain(seed);
}

describe('serveDeid: the engine overlaps the upload', () => {
  for (const [format, relative, make] of [['hl7v2', 'batch.hl7', () => hl7Batch(12)], ['fhir', 'Patient.ndjson', () => ndjson(4)]] as const) {
    it(`${format}: the first output comes before the upload ends, and the output is the local engine's`, async () => {
      const input = make();
      const state = { ended: false };
      const c = collector(state);
      const answer = await service.process({ format, profile: 'safe-harbor', relative, bytes: input.length, body: heldBody(input, c.first, state), caller }, c.output);
      expect(c.endedAtFirst()).toBe(false);
      expect(state.ended).toBe(true);
      const local = await localOutput(format, relative, input);
      expect(Buffer.concat(c.pieces).equals(local)).toBe(true);
      expect(answer).toMatchObject({ ok: true, inputBytes: input.length, outputBytes: local.length });
      expect(recorder.withAction('deid.run').at(-1)).toMatchObject({ outcome: 'success', details: { format, filesFailed: 0 } });
      for (const seed of SEEDS) expect(Buffer.concat(c.pieces).includes(seed)).toBe(false);
      expect(readdirSync(path.join(home, 'deid-spool'))).toEqual([]);
    }, 120_000);
  }

  it('fails an upload cut mid-way as transfer-aborted (no success trailer), records it, and empties the spool', async () => {
    const input = hl7Batch(12);
    const state = { ended: false };
    const c = collector(state);
    const answer = await service.process({ format: 'hl7v2', profile: 'safe-harbor', relative: 'batch.hl7', bytes: input.length, body: heldBody(input, c.first, state, true), caller }, c.output);
    expect(c.pieces.length).toBeGreaterThan(0); // the engine had started
    expect(answer).toMatchObject({ ok: false, problem: { code: 'transfer-aborted', place: { field: 'body' } } });
    expect(recorder.withAction('deid.run').at(-1)).toMatchObject({ outcome: 'failure', details: { filesFailed: 1 } });
    expect(readdirSync(path.join(home, 'deid-spool'))).toEqual([]);
    expectNoSeeds(answer, recorder.events);
  }, 120_000);

  it('fails a body shorter or longer than its declared size as transfer-aborted', async () => {
    const input = hl7Batch(9);
    for (const bytes of [input.length + 10, input.length - 10]) {
      const answer = await service.process({ format: 'hl7v2', profile: 'safe-harbor', relative: 'batch.hl7', bytes, body: heldBody(input, Promise.resolve(), { ended: false }), caller }, () => Promise.resolve());
      expect(answer).toMatchObject({ ok: false, problem: { code: 'transfer-aborted', place: { field: 'body' } } });
    }
    expect(readdirSync(path.join(home, 'deid-spool'))).toEqual([]);
  }, 120_000);

  it('fails the request whose worker dies (deid-worker-lost); the next one runs on a new worker', async () => {
    const input = hl7Batch(12);
    const state = { ended: false };
    const c = collector(state);
    // The worker is stopped once it has sent output, i.e. mid-file, waiting for the rest of the upload.
    const crashed = c.first.then(() => pool.crashWorkerForTest());
    const answer = await service.process({ format: 'hl7v2', profile: 'safe-harbor', relative: 'batch.hl7', bytes: input.length, body: heldBody(input, crashed, state), caller }, c.output);
    expect(answer).toMatchObject({ ok: false, problem: { code: 'deid-worker-lost' } });
    expect(recorder.withAction('deid.run').at(-1)).toMatchObject({ outcome: 'failure', details: { filesFailed: 1 } });
    const small = Buffer.from('MSH|^~\\&|APP|FAC|REC|RFAC|20240101120000||ADT^A01|MSG1|P|2.5\rPID|1||99887766^^^HOSP^MR||QUIXOTE-SMITHERS^JONATHAN||19620417|M\r');
    const out: Buffer[] = [];
    const next = await service.process({ format: 'hl7v2', profile: 'safe-harbor', relative: 'a.hl7', bytes: small.length, body: heldBody(small, Promise.resolve(), { ended: false }), caller }, (p) => {
      out.push(Buffer.from(p));
      return Promise.resolve();
    });
    expect(next).toMatchObject({ ok: true, records: 1 });
    expect(Buffer.concat(out).equals(await localOutput('hl7v2', 'a.hl7', small))).toBe(true);
    expectNoSeeds(answer, next, recorder.events);
    expect(readdirSync(path.join(home, 'deid-spool'))).toEqual([]);
  }, 120_000);
});
