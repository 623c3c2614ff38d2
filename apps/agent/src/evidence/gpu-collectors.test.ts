// GPU evidence collectors (issue 8): the file collector for replay, the nvidia-cc collector's
// availability, its helper contract and its check that the report is bound to this job's nonce.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { gpuNonce, parseSpdmReport } from '@phiguard/compute';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentError } from '../agent-error.ts';
import { FileGpuCollector } from './file-gpu-collector.ts';
import { helperEvidence, NvidiaCcCollector } from './nvidia-cc-collector.ts';

const VECTORS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../shared/vectors/nvidia-gpu');
const REPORT_FILE = path.join(VECTORS, 'nvtrust_hopperAttestationReport.txt');
const CHAIN_FILE = path.join(VECTORS, 'nvtrust_hopperCertChain.txt');
const REPORT = Buffer.from(readFileSync(REPORT_FILE, 'utf8').trim(), 'hex');
const CHAIN = readFileSync(CHAIN_FILE, 'utf8');
const NONCE = new Uint8Array(32).fill(1);
const KEY_HASH = new Uint8Array(32).fill(2);
const dir = mkdtempSync(path.join(tmpdir(), 'phiguard-gpu-collectors-'));
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

async function refusal(p: Promise<unknown>): Promise<string> {
  const error = await p.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(AgentError);
  expect((error as AgentError).code).toBe('collector-unavailable');
  return (error as AgentError).message;
}

/** A helper as the operator installs it, here answering with `report` (patched to the asked nonce when `bind`). */
function helper(name: string, body: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, `#!${process.execPath}\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

describe('FileGpuCollector', () => {
  it('sends the operator\'s files as nvidia-gpu wire evidence: hex or binary report, PEM chain', async () => {
    const fromHex = await new FileGpuCollector({ report: REPORT_FILE, certChain: CHAIN_FILE }).collect();
    expect(fromHex).toEqual({ kind: 'nvidia-gpu', report: REPORT.toString('base64'), certChain: CHAIN });
    const binary = path.join(dir, 'report.bin');
    writeFileSync(binary, REPORT);
    expect(await new FileGpuCollector({ report: binary, certChain: CHAIN_FILE }).collect()).toEqual(fromHex);
  });

  it('missing files or a chain that is not PEM: unavailable, a typed error naming the file', async () => {
    const missing = new FileGpuCollector({ report: path.join(dir, 'absent'), certChain: CHAIN_FILE });
    expect(await missing.available()).toBe(false);
    expect(await refusal(missing.collect())).toContain('cannot read');
    expect(await refusal(new FileGpuCollector({ report: REPORT_FILE, certChain: REPORT_FILE }).collect())).toContain('not PEM');
  });
});

describe('NvidiaCcCollector', () => {
  it('without the NVIDIA driver or without the helper it is unavailable and collect() is a typed error, never evidence', async () => {
    const noDriver = new NvidiaCcCollector({ device: path.join(dir, 'nvidiactl'), searchPath: '/usr/bin:/bin' });
    expect(await noDriver.available()).toBe(false);
    expect(await refusal(noDriver.collect(NONCE, KEY_HASH))).toContain('driver is not loaded');
    const noHelper = new NvidiaCcCollector({ device: '/dev/null', searchPath: dir });
    expect(await noHelper.available()).toBe(false);
    expect(await refusal(noHelper.collect(NONCE, KEY_HASH))).toContain('helper is not installed');
  });

  it('a helper that fails (GPU not in CC mode) is reported by exit status only', async () => {
    const failing = helper('failing', "process.stderr.write('GPU 0000:01:00.0 not ready'); process.exit(3);");
    const collector = new NvidiaCcCollector({ device: '/dev/null', helper: failing });
    expect(await collector.available()).toBe(true);
    const message = await refusal(collector.collect(NONCE, KEY_HASH));
    expect(message).toContain('exit 3');
    expect(message).not.toContain('0000:01');
  });

  it('asks the helper for gpuNonce(nonce, keyHash); a report bound to it is sent, the real sample (another nonce) is refused', async () => {
    const answer = (patch: boolean): string => `
      const args = process.argv.slice(2);
      const nonce = args[args.indexOf('--nonce') + 1];
      if (args[args.indexOf('--index') + 1] !== '0' || !/^[0-9a-f]{64}$/.test(nonce)) process.exit(2);
      const report = Buffer.from(${JSON.stringify(REPORT.toString('hex'))}, 'hex');
      ${patch ? "Buffer.from(nonce, 'hex').copy(report, 4);" : ''}
      process.stdout.write(JSON.stringify({ report: report.toString('base64'), certChain: ${JSON.stringify(CHAIN)} }));`;
    const named = helper('phiguard-nvml-report', answer(true));
    const bound = await new NvidiaCcCollector({ device: '/dev/null', searchPath: `/nonexistent:${dir}` }).collect(NONCE, KEY_HASH);
    expect(bound.kind).toBe('nvidia-gpu');
    expect(bound.certChain).toBe(CHAIN);
    expect(parseSpdmReport(new Uint8Array(Buffer.from(bound.report as string, 'base64'))).requestNonce).toEqual(gpuNonce(NONCE, KEY_HASH));
    expect(named).toContain(dir);
    const sample = helper('sample', answer(false));
    expect(await refusal(new NvidiaCcCollector({ device: '/dev/null', helper: sample }).collect(NONCE, KEY_HASH))).toContain('not bound');
  });

  it('helper answers that are not the documented shape are typed errors', () => {
    const expected = gpuNonce(NONCE, KEY_HASH);
    const bad = (stdout: string): string => {
      try {
        helperEvidence(stdout, expected, 'helper');
      } catch (e) {
        expect(e).toBeInstanceOf(AgentError);
        return (e as AgentError).message;
      }
      throw new Error('accepted');
    };
    expect(bad('not json')).toContain('not JSON');
    expect(bad(JSON.stringify({ certChain: CHAIN }))).toContain('no base64 report');
    expect(bad(JSON.stringify({ report: REPORT.toString('base64') }))).toContain('no PEM certChain');
    expect(bad(JSON.stringify({ report: 'AAAA', certChain: CHAIN }))).toContain('not an SPDM');
  });

  it('property: a report is accepted exactly when its request nonce is the expected one', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.boolean(), (other, same) => {
        const expected = gpuNonce(other, KEY_HASH);
        const report = Buffer.from(REPORT);
        Buffer.from(same ? expected : gpuNonce(other, NONCE)).copy(report, 4);
        const stdout = JSON.stringify({ report: report.toString('base64'), certChain: CHAIN });
        if (same) expect(helperEvidence(stdout, expected, 'helper').report).toBe(report.toString('base64'));
        else expect(() => helperEvidence(stdout, expected, 'helper')).toThrow(AgentError);
      }),
      { numRuns: 50 },
    );
  });
});
