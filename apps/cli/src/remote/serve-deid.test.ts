import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { systemClock } from '@phiguard/core';
import { MemoryAuditRecorder } from '@phiguard/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { runDeidJob } from './deid-job.ts';
import { serverProcessors } from './deid-processors.ts';
import { serveDeid } from './serve-deid.ts';

// The server side of remote de-identification without HTTP: the worker thread, the spool, the
// streamed output, the deid.run entry (validated as the real ledger validates) and the abort path.
const home = mkdtempSync(path.join(os.tmpdir(), 'serve-deid-'));
const recorder = new MemoryAuditRecorder();
const service = serveDeid(home, { stderr: process.stderr }, { recorder, clock: systemClock });
const corpus = path.resolve(import.meta.dirname, '../../../../../shared/corpus');
const caller = { actor: { kind: 'user' as const, id: 'usr_06h0t3evnnbt53qmj7y0ettqz4' }, requestId: 'req-1', purpose: 'HOPERAT' as const };
const hl7File = path.join(corpus, 'hl7v2-msft-fhir-converter', 'ADT-A01-01.hl7');

afterAll(async () => {
  await service.close();
  rmSync(home, { recursive: true, force: true });
});

/** A body that arrives in small pieces, as from a socket. */
async function* pieces(bytes: Buffer, size = 4096): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
  await Promise.resolve();
}

describe('serveDeid', () => {
  it('streams the same bytes the local engine writes and records deid.run as the caller', async () => {
    const input = readFileSync(hl7File);
    const received: Buffer[] = [];
    const answer = await service.process({ format: 'hl7v2', profile: 'safe-harbor', relative: 'adt.hl7', body: pieces(input), caller }, async (p) => {
      received.push(Buffer.from(p));
      await Promise.resolve();
    });
    const local: Buffer[] = [];
    const outcome = await runDeidJob(serverProcessors(home, process.stderr)('hl7v2', 'safe-harbor'), { format: 'hl7v2', profile: 'safe-harbor', relative: 'adt.hl7', input: hl7File, bytes: input.length, output: '' }, { write: (p) => local.push(Buffer.from(p)) });
    expect(outcome.ok).toBe(true);
    expect(Buffer.concat(received).equals(Buffer.concat(local))).toBe(true);
    expect(answer).toMatchObject({ ok: true, outputBytes: Buffer.concat(local).length, inputBytes: input.length });
    const [entry] = recorder.withAction('deid.run');
    expect(entry).toMatchObject({ actor: caller.actor, outcome: 'success', purpose: 'HOPERAT', requestId: 'req-1', details: { format: 'hl7v2', profile: 'safe-harbor', files: 1, filesFailed: 0, recordsFailed: 0 } });
    expect(entry?.resources).toEqual([{ type: 'deid-manifest', id: answer.manifestHash }]);
    expect(readdirSync(path.join(home, 'deid-spool'))).toEqual([]);
  });

  it('records a client that goes away mid-answer as a failed deid.run and still empties the spool', async () => {
    const input = readFileSync(hl7File);
    const answer = await service.process({ format: 'hl7v2', profile: 'safe-harbor', relative: 'adt.hl7', body: pieces(input), caller }, () => Promise.reject(new Error('client gone')));
    expect(answer).toMatchObject({ ok: false, problem: { code: 'transfer-aborted' } });
    expect(recorder.withAction('deid.run').at(-1)).toMatchObject({ outcome: 'failure', details: { filesFailed: 1 } });
    expect(readdirSync(path.join(home, 'deid-spool'))).toEqual([]);
  });

  it('refuses a text note over the whole-file limit after reading its body to the end; HL7 of the same size streams', async () => {
    const small = serveDeid(home, { stderr: process.stderr }, { recorder, clock: systemClock, wholeFileBytes: 1000 });
    try {
      const note = Buffer.from('Patient Jonathan Quixote-Smithers was seen. '.repeat(100));
      let drained = 0;
      async function* counted(): AsyncGenerator<Uint8Array> {
        for await (const p of pieces(note, 100)) {
          drained += p.byteLength;
          yield p;
        }
      }
      const answer = await small.process({ format: 'text', profile: 'safe-harbor', relative: 'note.txt', body: counted(), caller }, () => Promise.resolve());
      expect(answer).toMatchObject({ ok: false, problem: { code: 'too-large', place: { field: 'body' } } });
      expect(drained).toBe(note.length);
      expect(recorder.withAction('deid.run').at(-1)).toMatchObject({ outcome: 'failure', details: { format: 'text', filesFailed: 1 } });
      const hl7 = readFileSync(hl7File);
      expect(hl7.length).toBeGreaterThan(1000);
      expect(await small.process({ format: 'hl7v2', profile: 'safe-harbor', relative: 'adt.hl7', body: pieces(hl7), caller }, () => Promise.resolve())).toMatchObject({ ok: true });
    } finally {
      await small.close();
    }
  });

  it('answers a file the engine cannot read with its problem by place, recorded as a failure', async () => {
    const answer = await service.process({ format: 'fhir', profile: 'safe-harbor', relative: 'x.json', body: pieces(Buffer.from('{"resourceType":"Patient","name":[{"family":"Quixote"')), caller }, () => Promise.resolve());
    expect(answer).toMatchObject({ ok: false, problem: { place: { file: 'x.json' } } });
    expect(JSON.stringify(recorder.events)).not.toContain('Quixote');
    expect(JSON.stringify(answer)).not.toContain('Quixote');
  });
});
