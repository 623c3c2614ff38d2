import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { resolveReportNames } from './report-names.ts';

function streams(stdoutTty: boolean, stderrTty: boolean): { stdout: PassThrough & { isTTY?: boolean }; stderr: PassThrough & { isTTY?: boolean } } {
  return { stdout: Object.assign(new PassThrough(), { isTTY: stdoutTty }), stderr: Object.assign(new PassThrough(), { isTTY: stderrTty }) };
}

describe('--report-names', () => {
  it('auto names inputs only to a terminal: both streams must be TTYs', () => {
    expect(resolveReportNames('auto', streams(true, true))).toBe('input');
    expect(resolveReportNames(undefined, streams(true, true))).toBe('input');
    expect(resolveReportNames('auto', streams(true, false))).toBe('output');
    expect(resolveReportNames('auto', streams(false, true))).toBe('output');
    expect(resolveReportNames('auto', { stdout: new PassThrough(), stderr: new PassThrough() })).toBe('output');
  });

  it('an explicit mode wins over the terminal check', () => {
    expect(resolveReportNames('input', streams(false, false))).toBe('input');
    expect(resolveReportNames('output', streams(true, true))).toBe('output');
  });
});
