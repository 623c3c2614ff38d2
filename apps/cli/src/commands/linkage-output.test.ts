import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { REID_STATES } from '@phiguard/vault';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { checkRevealTarget, formatRevealed, listLines, openRevealFile, readTokens, showLines, STATUS_HELP, statusOption, withdrawnLine, writeRevealed, type RequestView } from './linkage-output.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'linkage-output-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
const T = (c: string): string => `LNK-${c.repeat(32)}`;

describe('linkage output', () => {
  it('reads tokens from arguments and a file, in order, once; names a bad line by number only', () => {
    writeFileSync(path.join(dir, 'tokens.txt'), `# findings\n${T('B')}\n\n  ${T('A')}  \r\n${T('C')}\n`);
    expect(readTokens({ cwd: dir }, [T('A')], 'tokens.txt')).toEqual([T('A'), T('B'), T('C')]);
    writeFileSync(path.join(dir, 'bad.txt'), `${T('A')}\nSMITH^JOHN 1961-04-17\n`);
    const error = (() => {
      try {
        readTokens({ cwd: dir }, [], 'bad.txt');
      } catch (e) {
        return e as Error & { place?: unknown };
      }
      return undefined;
    })();
    expect(error).toMatchObject({ code: 'request-invalid', place: { file: 'bad.txt', line: 2 } });
    expect(`${String(error)} ${JSON.stringify(error)}`).not.toContain('SMITH');
    expect(() => readTokens({ cwd: dir }, [], 'missing.txt')).toThrow(/cannot read the tokens file/);
    expect(() => readTokens({ cwd: dir }, [], undefined)).toThrow(/no tokens/);
  });

  it('TSV keeps one value in one cell whatever it holds (escapes reversible)', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ kind: fc.constantFrom('mrn', 'name'), value: fc.string() }), { maxLength: 8 }), (rows) => {
        const withTokens = rows.map((r, i) => ({ token: T(String.fromCharCode(65 + i)), ...r }));
        const lines = formatRevealed(withTokens, 'tsv').split('\n');
        expect(lines).toHaveLength(withTokens.length + 2);
        const unescape = (s: string): string => s.replace(/\\(.)/g, (_m, c: string) => ({ t: '\t', n: '\n', r: '\r', '\\': '\\' })[c] ?? c);
        lines.slice(1, -1).forEach((line, i) => {
          const cells = line.split('\t');
          expect(cells).toHaveLength(3);
          expect(unescape(cells[2] ?? '')).toBe(withTokens[i]?.value);
        });
      }),
    );
  });

  it('never prints values on a terminal; --out is a new 0600 file', () => {
    const tty = Object.assign(new PassThrough(), { isTTY: true });
    expect(() => checkRevealTarget({ stdout: tty }, {})).toThrow(/not printed on a terminal/);
    expect(checkRevealTarget({ stdout: tty }, { out: 'x.tsv', format: 'json' })).toBe('json');
    expect(checkRevealTarget({ stdout: new PassThrough() }, {})).toBe('tsv');
    expect(() => checkRevealTarget({ stdout: new PassThrough() }, { format: 'csv' })).toThrow(/tsv or json/);
    const file = openRevealFile({ cwd: dir }, 'out.tsv');
    writeRevealed({ stdout: new PassThrough(), stderr: new PassThrough() }, file, [{ token: T('A'), kind: 'mrn', value: 'v' }], 'tsv', 'reid_x', 'HRESCH');
    expect(statSync(path.join(dir, 'out.tsv')).mode & 0o777).toBe(0o600);
    expect(() => openRevealFile({ cwd: dir }, 'out.tsv')).toThrow(/must not exist yet/);
  });

  it('shows a lapsed request as expired and a withdrawn one with its time; --status knows both', () => {
    const base: RequestView = {
      id: 'reid_01jxk3q8y9a2b3c4d5e6f7g8h9', requester: 'usr_a', purpose: 'HRESCH', reason: 'r', tokenCount: 2, status: 'expired', createdMs: Date.UTC(2026, 0, 1),
      decidedBy: null, decidedMs: null, decisionReason: null, revealedMs: null, withdrawnMs: null, expiresMs: null,
    };
    expect(showLines(base)).toContain('lapsed without a decision: it can no longer be approved; the requester may ask again');
    // Withdrawn after an approval: the approval stays on record, the reveal window is not offered.
    const withdrawn: RequestView = { ...base, status: 'withdrawn', decidedBy: 'usr_b', decidedMs: Date.UTC(2026, 0, 2), withdrawnMs: Date.UTC(2026, 0, 3), expiresMs: null };
    expect(showLines(withdrawn)).toEqual([
      'reid_01jxk3q8y9a2b3c4d5e6f7g8h9: withdrawn; 2 tokens for HRESCH, asked by usr_a at 2026-01-01T00:00:00Z',
      'reason: r',
      'approved by usr_b at 2026-01-02T00:00:00Z',
      'withdrawn by the requester at 2026-01-03T00:00:00Z',
    ]);
    expect(withdrawnLine(withdrawn)).toBe('withdrawn reid_01jxk3q8y9a2b3c4d5e6f7g8h9 (2 tokens, HRESCH); it can no longer be approved or revealed');
    expect(statusOption('expired')).toBe('expired');
    expect(statusOption('withdrawn')).toBe('withdrawn');
    expect(statusOption('approval-expired')).toBe('approval-expired');
    expect(STATUS_HELP).toBe(REID_STATES.join(', '));
    expect(() => statusOption('lapsed')).toThrow(/open, expired, approved, approval-expired, denied, revealed or withdrawn/);
  });

  it('shows an approval past its reveal window as approval-expired, with when the window closed', () => {
    const v: RequestView = {
      id: 'reid_01jxk3q8y9a2b3c4d5e6f7g8h9', requester: 'usr_a', purpose: 'HRESCH', reason: 'r', tokenCount: 2, status: 'approval-expired', createdMs: Date.UTC(2026, 0, 1),
      decidedBy: 'usr_b', decidedMs: Date.UTC(2026, 0, 2), decisionReason: null, revealedMs: null, withdrawnMs: null, expiresMs: Date.UTC(2026, 0, 3),
    };
    expect(showLines(v)).toEqual([
      'reid_01jxk3q8y9a2b3c4d5e6f7g8h9: approval-expired; 2 tokens for HRESCH, asked by usr_a at 2026-01-01T00:00:00Z',
      'reason: r',
      'approved by usr_b at 2026-01-02T00:00:00Z',
      'the reveal window closed at 2026-01-03T00:00:00Z without a reveal: it can no longer be revealed; the requester may ask again',
    ]);
    const [header, row] = listLines([v]);
    expect(row?.indexOf('HRESCH')).toBe(header?.indexOf('purpose'));
  });
});
