import { closeSync, fsyncSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { PurposeOfUse } from '@phiguard/audit';
import { LINKAGE_TOKEN, REID_STATES, VaultError, type LinkageVault, type ReidRequest, type ReidState } from '@phiguard/vault';
import type { CliContext } from '../context.ts';

/**
 * A re-identification request as `phiguard linkage` prints it, the same whether it came from the
 * local vault or the server (GET /v1/linkage/requests): never an original value.
 */
export interface RequestView {
  readonly id: string;
  readonly requester: string;
  readonly purpose: PurposeOfUse;
  readonly reason: string;
  readonly tokenCount: number;
  /** Stored status, or `expired` for an open request past the vault's lapse time, `approval-expired` for an approval past its reveal window. */
  readonly status: ReidState;
  readonly createdMs: number;
  readonly decidedBy: string | null;
  readonly decidedMs: number | null;
  readonly decisionReason: string | null;
  readonly revealedMs: number | null;
  /** Absent from servers older than the withdraw route. */
  readonly withdrawnMs?: number | null;
  readonly expiresMs: number | null;
  readonly tokens?: readonly string[];
}

/** One revealed identifier (token → kind, original value). */
export interface RevealedRow {
  readonly token: string;
  readonly kind: string;
  readonly value: string;
}

export function viewOf(vault: LinkageVault, r: ReidRequest, withTokens: boolean): RequestView {
  return {
    id: r.id, requester: r.requester, purpose: r.purpose, reason: r.reason, tokenCount: r.tokens.length, status: vault.stateOf(r), createdMs: r.createdMs,
    decidedBy: r.decidedBy, decidedMs: r.decidedMs, decisionReason: r.decisionReason, revealedMs: r.revealedMs, withdrawnMs: r.withdrawnMs, expiresMs: vault.expiresMs(r),
    ...(withTokens ? { tokens: r.tokens } : {}),
  };
}

const iso = (ms: number | null): string => (ms === null ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'));
/** One line of free text for a table: control characters as spaces, at most `max` characters. */
const oneLine = (text: string, max: number): string => {
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/**
 * Tokens named on the command line and/or in a file (one a line; blank lines and `#` comments
 * skipped), in order, each once. A line that is not a token is named by its number only: it
 * might be a value that must not be echoed.
 */
export function readTokens(ctx: Pick<CliContext, 'cwd'>, args: readonly string[], file: string | undefined): string[] {
  const out: string[] = [];
  args.forEach((t, index) => {
    if (!LINKAGE_TOKEN.test(t)) throw new VaultError('request-invalid', 'an argument is not a linkage token (LNK- and 32 characters)', { place: { field: 'tokens', index } });
    out.push(t);
  });
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(path.resolve(ctx.cwd, file), 'utf8');
    } catch (cause) {
      throw new VaultError('invalid-argument', 'cannot read the tokens file', { place: { field: '--tokens-file' }, ...(cause instanceof Error && 'code' in cause ? { hint: `error ${String(cause.code)}` } : {}) });
    }
    const lines = text.split(/\r?\n/);
    lines.forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      if (!LINKAGE_TOKEN.test(line)) throw new VaultError('request-invalid', 'a line of the tokens file is not a linkage token', { place: { file: path.basename(file), line: i + 1 } });
      out.push(line);
    });
  }
  if (out.length === 0) throw new VaultError('request-invalid', 'no tokens to re-identify', { place: { field: 'tokens' }, hint: 'name tokens as arguments or pass --tokens-file FILE (one LNK-… per line)' });
  return [...new Set(out)];
}

export function requestedLine(v: RequestView): string {
  return `request ${v.id}: ${String(v.tokenCount)} tokens for ${v.purpose}, ${v.status}; another person must approve it (phiguard linkage approve ${v.id})`;
}

export function decidedLine(v: RequestView): string {
  return v.status === 'approved'
    ? `approved ${v.id} (requester ${v.requester}, ${String(v.tokenCount)} tokens, ${v.purpose}); the requester may reveal it once until ${iso(v.expiresMs)}`
    : `denied ${v.id} (requester ${v.requester}, ${String(v.tokenCount)} tokens, ${v.purpose})`;
}

export function withdrawnLine(v: RequestView): string {
  return `withdrawn ${v.id} (${String(v.tokenCount)} tokens, ${v.purpose}); it can no longer be approved or revealed`;
}

export function listLines(views: readonly RequestView[]): string[] {
  const lines = ['id                              status            purpose   tokens  requester                       created               expires               reason'];
  for (const v of views) {
    lines.push(`${v.id.padEnd(32)}${v.status.padEnd(18)}${v.purpose.padEnd(10)}${String(v.tokenCount).padStart(6)}  ${v.requester.padEnd(32)}${iso(v.createdMs).padEnd(22)}${iso(v.expiresMs).padEnd(22)}${oneLine(v.reason, 60)}`);
  }
  if (views.length === 0) lines.push('(none)');
  return lines;
}

export function showLines(v: RequestView): string[] {
  return [
    `${v.id}: ${v.status}; ${String(v.tokenCount)} tokens for ${v.purpose}, asked by ${v.requester} at ${iso(v.createdMs)}`,
    `reason: ${oneLine(v.reason, 2000)}`,
    ...(v.decidedBy === null ? [] : [`${v.status === 'denied' ? 'denied' : 'approved'} by ${v.decidedBy} at ${iso(v.decidedMs)}${v.decisionReason === null ? '' : `: ${oneLine(v.decisionReason, 2000)}`}`]),
    ...(v.expiresMs === null || v.status !== 'approved' ? [] : [`may be revealed by the requester once, until ${iso(v.expiresMs)}`]),
    ...(v.status === 'expired' ? ['lapsed without a decision: it can no longer be approved; the requester may ask again'] : []),
    ...(v.status === 'approval-expired' ? [`the reveal window closed at ${iso(v.expiresMs)} without a reveal: it can no longer be revealed; the requester may ask again`] : []),
    ...(v.revealedMs === null ? [] : [`revealed at ${iso(v.revealedMs)}`]),
    ...(v.withdrawnMs === undefined || v.withdrawnMs === null ? [] : [`withdrawn by the requester at ${iso(v.withdrawnMs)}`]),
    ...(v.tokens ?? []).map((t) => `  ${t}`),
  ];
}

/** TSV cell: backslash, tab, CR and LF escaped so that one value stays one cell. */
const cell = (s: string): string => s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');

export function formatRevealed(rows: readonly RevealedRow[], format: 'tsv' | 'json'): string {
  if (format === 'json') return `${JSON.stringify(rows, null, 2)}\n`;
  return ['token\tkind\tvalue', ...rows.map((r) => `${r.token}\t${cell(r.kind)}\t${cell(r.value)}`)].join('\n') + '\n';
}

export interface RevealOutput {
  readonly out?: string;
  readonly format?: string;
}

/**
 * Checks where revealed values may go, before anything is revealed (a reveal is single-use): a
 * new file (`--out`, created 0600, never overwritten) or stdout only when it is not a terminal
 * (a pipe or a redirect), so identifiers don't land in scrollback or a shared screen.
 */
export function checkRevealTarget(ctx: Pick<CliContext, 'stdout'>, o: RevealOutput): 'tsv' | 'json' {
  const format = o.format ?? 'tsv';
  if (format !== 'tsv' && format !== 'json') throw new VaultError('invalid-argument', 'format is tsv or json', { place: { field: '--format' } });
  if (o.out === undefined && ctx.stdout.isTTY === true) {
    throw new VaultError('invalid-argument', 'original identifiers are not printed on a terminal', { place: { field: '--out' }, hint: 'pass --out FILE (created with mode 0600) or redirect stdout to a file or program' });
  }
  return format;
}

/** Opens `--out` exclusively (0600) before the reveal, so a reveal is never lost to a bad path. */
export function openRevealFile(ctx: Pick<CliContext, 'cwd'>, out: string): { readonly path: string; readonly fd: number } {
  const target = path.resolve(ctx.cwd, out);
  try {
    return { path: target, fd: openSync(target, 'wx', 0o600) };
  } catch (cause) {
    throw new VaultError('invalid-argument', 'cannot create the output file (it must not exist yet)', { place: { field: '--out' }, ...(cause instanceof Error && 'code' in cause ? { hint: `error ${String(cause.code)}` } : {}) });
  }
}

/** Writes the revealed rows to the opened file (fsynced) or stdout; a summary line goes to stderr. */
export function writeRevealed(ctx: Pick<CliContext, 'stdout' | 'stderr'>, file: { readonly path: string; readonly fd: number } | undefined, rows: readonly RevealedRow[], format: 'tsv' | 'json', requestId: string, purpose: string): void {
  const text = formatRevealed(rows, format);
  if (file === undefined) ctx.stdout.write(text);
  else {
    try {
      writeSync(file.fd, text);
      fsyncSync(file.fd);
    } finally {
      closeSync(file.fd);
    }
  }
  ctx.stderr.write(`revealed ${String(rows.length)} values of ${requestId} (purpose ${purpose})${file === undefined ? '' : ` into ${file.path} (mode 0600)`}; the reveal is recorded in the ledger and cannot be repeated\n`);
}

export interface RequestOptions {
  reason: string;
  tokensFile?: string;
}

export interface ListOptions {
  review?: boolean;
  status?: string;
  limit?: number;
}

/** The states `--status` takes, spelled out for `--help` (a test compares them with REID_STATES). */
export const STATUS_HELP = 'open, expired, approved, approval-expired, denied, revealed, withdrawn';

/** `--status` of `linkage list`: one of the vault's states (REID_STATES). */
export function statusOption(status: string | undefined): ReidState | undefined {
  if (status === undefined) return undefined;
  const found = REID_STATES.find((s) => s === status);
  if (found === undefined) throw new VaultError('invalid-argument', `status is ${REID_STATES.slice(0, -1).join(', ')} or ${REID_STATES.at(-1) ?? ''}`, { place: { field: '--status' } });
  return found;
}

/** Removes the (empty) output file of a reveal that failed. */
export function discard(file: { readonly path: string; readonly fd: number }): void {
  try {
    closeSync(file.fd);
  } catch {
    // Already closed by writeRevealed.
  }
  try {
    unlinkSync(file.path);
  } catch {
    // Nothing to remove.
  }
}
