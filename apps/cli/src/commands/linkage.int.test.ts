import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { openPgliteAccessStore, type AccessStore, type Role } from '@phiguard/access';
import type { Clock } from '@phiguard/core';
import { LINKAGE_TOKEN } from '@phiguard/vault';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runCliTyped, type TypedCliResult } from '../testing/cli-harness.ts';
import { createUsers, loginWithTotp, psql, serveForTest, testDatabaseUrl, type TestServer } from '../testing/remote-harness.ts';

// Re-identification end to end: `deid fhir --linkage-key` writes LNK- tokens for MRNs; through a
// real HTTPS server wired like `phiguard serve` (TLS 1.3, embedded CA; ledger and vault on PostgreSQL) a researcher asks for
// them, cannot approve herself, a data steward approves, only she reveals, once, in time. Every
// step is in the ledger and no original value reaches a ledger leaf, a log line or an error.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const patients = path.resolve(repoRoot, '../shared/corpus/fhir-bulk-ndjson-10patients/Patient.000.ndjson');
const PASSWORD = 'violet-anchor-drizzle';
const REASON = 'Model m-4 flagged these rows; call back trial candidates (protocol Zeta-77)';
const root = mkdtempSync(path.join(os.tmpdir(), 'cli-linkage-'));
const suffix = randomBytes(4).toString('hex');
const schemas = { server: `cli_linkage_s_${suffix}`, local: `cli_linkage_l_${suffix}` };
const dbUrl = testDatabaseUrl;
const serverRoot = path.join(root, 'server');
const localRoot = path.join(root, 'local');
const keyFile = path.join(root, 'master.key');
const serverEnv = { PHIGUARD_DATABASE_URL: dbUrl(schemas.server) };
const localEnv = { PHIGUARD_DATABASE_URL: dbUrl(schemas.local) };

const ROLES: Record<string, Role[]> = { alice: ['ml-engineer'], bob: ['data-steward'], sam: ['security-officer'], kc1: ['key-custodian'], kc2: ['key-custodian'] };
const ids: Record<string, string> = {};
/** The vault's clock runs `skew` ms ahead of the system clock (expiry without waiting a day). */
let skew = 0;
const skewed: Clock = { nowMs: () => Date.now() + skew, now: () => new Date(Date.now() + skew) };
let store: AccessStore;
let server: TestServer;
let url = '';
let ca = '';
let logs = '';
/** Every error text any command printed (they must not carry values either). */
const errors: string[] = [];
const originals: string[] = [];
const tokens: string[] = [];
const names: string[] = [];

type Run = TypedCliResult;

/** One CLI invocation in `cwd`, as main.ts would print a typed error; every error text is kept. */
async function run(cwd: string, env: Record<string, string>, args: readonly string[], stdin?: PassThrough): Promise<Run> {
  const result = await runCliTyped({ cwd, env, ...(stdin === undefined ? {} : { stdin }) }, ...args);
  if (result.error !== undefined) errors.push(result.error);
  errors.push(result.err);
  return result;
}

const clientDir = (user: string): string => path.join(root, `client-${user}`);
const remoteRun = (user: string, ...args: string[]): Promise<Run> => run(clientDir(user), {}, ['--server', url, ...args]);
const localRun = (user: string, ...args: string[]): Promise<Run> => run(localRoot, localEnv, [...args, '--as', ids[user] ?? '', '--key-file', keyFile]);

async function login(user: string): Promise<void> {
  await loginWithTotp({ cwd: clientDir(user), url, ca, username: user, password: PASSWORD });
}

/** MRN values (Identifier.type MR) and family names of the Patients in an NDJSON text. */
function identifiers(ndjson: string): { mrns: string[]; names: string[] } {
  const mrns: string[] = [];
  const family: string[] = [];
  for (const line of ndjson.split('\n')) {
    if (line.trim() === '') continue;
    const p = JSON.parse(line) as { identifier?: { type?: { coding?: { code?: string }[] }; value?: string }[]; name?: { family?: string }[] };
    for (const id of p.identifier ?? []) if (id.type?.coding?.some((c) => c.code === 'MR') === true && id.value !== undefined) mrns.push(id.value);
    for (const n of p.name ?? []) if (n.family !== undefined) family.push(n.family);
  }
  return { mrns, names: family };
}

/** keys init + a linkage key + `deid fhir` with an encrypt profile, in `cwd`; returns the tokens written. */
async function deidWithLinkage(cwd: string, env: Record<string, string>): Promise<string[]> {
  mkdirSync(path.join(cwd, 'in'), { recursive: true });
  copyFileSync(patients, path.join(cwd, 'in', 'Patient.000.ndjson'));
  writeFileSync(path.join(cwd, 'profile.json'), JSON.stringify({ id: 'linkage-mrn', version: '1', extends: 'safe-harbor', kinds: { mrn: { kind: 'encrypt' } } }));
  const custodians = ['kc1', 'kc2'].flatMap((u) => ['--custodian', ids[u] ?? '']);
  expect((await run(cwd, env, ['keys', 'init', ...custodians, '--threshold', '2', '--as', ids.kc1 ?? '', '--key-file', keyFile])).error).toBeUndefined();
  expect((await run(cwd, env, ['keys', 'create', 'linkage-key', '--as', ids.kc1 ?? '', '--key-file', keyFile])).error).toBeUndefined();
  const deid = await run(cwd, env, ['deid', 'fhir', 'in', '--out', 'out', '--profile', 'profile.json', '--linkage-key', 'linkage-key', '--keystore-key-file', keyFile, '--text-engine', 'known']);
  expect(deid.error).toBeUndefined();
  return identifiers(readFileSync(path.join(cwd, 'out', 'Patient.000.ndjson'), 'utf8')).mrns;
}

beforeAll(async () => {
  for (const dir of [serverRoot, localRoot]) mkdirSync(dir, { recursive: true });
  writeFileSync(keyFile, randomBytes(32), { mode: 0o600 });
  psql(`create schema ${schemas.server}; create schema ${schemas.local}`);
  store = await openPgliteAccessStore(undefined);
  Object.assign(ids, await createUsers(store, ROLES, PASSWORD));
  const input = identifiers(readFileSync(patients, 'utf8'));
  originals.push(...input.mrns);
  names.push(...input.names);
  tokens.push(...(await deidWithLinkage(serverRoot, serverEnv)));

  // The server, wired like `phiguard serve` (keystore by key file, vault, linkage vault), its services on the skewed clock.
  server = await serveForTest({ cwd: serverRoot, env: { ...serverEnv, PHIGUARD_KEYS_KEY_FILE: keyFile }, store, clock: skewed, log: (t) => (logs += t) });
  ({ url, ca } = server);
  for (const user of Object.keys(ROLES)) await login(user);
}, 240_000);

afterAll(async () => {
  await server.close();
  await store.close();
  psql(`drop schema if exists ${schemas.server} cascade; drop schema if exists ${schemas.local} cascade`);
  rmSync(root, { recursive: true, force: true });
  process.exitCode = 0;
});

const idOf = (out: string): string => /request (reid_[0-9a-z]{26}):/.exec(out)?.[1] ?? '';
/** Revealed TSV → token → value. */
const parseTsv = (text: string): Map<string, string> => new Map(text.trim().split('\n').slice(1).map((l) => l.split('\t')).map(([t, , v]) => [t ?? '', v ?? '']));

describe('phiguard linkage --server URL (re-identification, two people)', () => {
  it('request → self-approval refused → approve by another → one reveal by the requester only; all ledgered, no value leaked', async () => {
    expect(originals.length).toBeGreaterThan(0);
    expect(tokens).toHaveLength(originals.length);
    for (const t of tokens) expect(t).toMatch(LINKAGE_TOKEN);
    const tokensFile = path.join(clientDir('alice'), 'findings.txt');
    writeFileSync(tokensFile, `# rows flagged by model m-4\n${tokens.join('\n')}\n\n`);

    const asked = await remoteRun('alice', '--purpose', 'HRESCH', 'linkage', 'request', '--tokens-file', 'findings.txt', '--reason', REASON);
    expect(asked.error).toBeUndefined();
    const id = idOf(asked.out);
    expect(asked.out).toBe(`request ${id}: ${String(new Set(tokens).size)} tokens for HRESCH, open; another person must approve it (phiguard linkage approve ${id})\n`);
    expect((await remoteRun('alice', 'linkage', 'request', tokens[0] ?? '', '--reason', 'x')).error).toContain('needs a purpose of use');
    expect((await remoteRun('alice', '--purpose', 'TREAT', 'linkage', 'request', tokens[0] ?? '', '--reason', 'x')).error).toMatch(/forbidden \(403\)/);
    expect((await remoteRun('sam', '--purpose', 'HRESCH', 'linkage', 'request', tokens[0] ?? '', '--reason', 'x')).error).toMatch(/forbidden \(403\)/);

    // Nobody approves their own request: Cedar (sod-no-self-approval) refuses before the vault would.
    expect((await remoteRun('alice', 'linkage', 'approve', id)).error).toMatch(/self-approval \(403\)/);
    // Not approved yet: no reveal (sod-reidentify-two-people).
    expect((await remoteRun('alice', '--purpose', 'HRESCH', 'linkage', 'reveal', id, '--out', 'early.tsv')).error).toMatch(/approval-required \(403\)/);
    expect(() => statSync(path.join(clientDir('alice'), 'early.tsv'))).toThrow();

    // What reviewers and the requester see: counts, purpose, reason; never a value.
    const review = await remoteRun('sam', 'linkage', 'list', '--review');
    expect(review.out).toContain(id);
    expect(review.out).toContain('Model m-4 flagged these rows');
    const mine = await remoteRun('alice', '--purpose', 'HRESCH', 'linkage', 'list');
    expect(mine.out).toMatch(new RegExp(`${id}\\s+open\\s+HRESCH\\s+${String(tokens.length)}`));
    const shown = await remoteRun('sam', 'linkage', 'show', id);
    expect(shown.out).toContain(`reason: ${REASON}`);
    expect(shown.out).toContain(tokens[0]);

    expect((await remoteRun('bob', 'linkage', 'approve', id)).out).toMatch(new RegExp(`^approved ${id} \\(requester ${ids.alice ?? ''}, \\d+ tokens, HRESCH\\); the requester may reveal it once until \\d{4}-`));
    expect((await remoteRun('bob', 'linkage', 'deny', id)).error).toMatch(/approval-denied \(403\)/);
    // The approver cannot reveal (two people), nor can a reviewer without dataset.reidentify.
    expect((await remoteRun('bob', '--purpose', 'HRESCH', 'linkage', 'reveal', id, '--out', 'b.tsv')).error).toMatch(/approval-required \(403\)/);
    expect((await remoteRun('sam', '--purpose', 'HRESCH', 'linkage', 'reveal', id, '--out', 's.tsv')).error).toMatch(/forbidden \(403\)/);
    // Purpose-bound: not for another purpose.
    expect((await remoteRun('alice', '--purpose', 'CLINTRCH', 'linkage', 'reveal', id, '--out', 'c.tsv')).error).toMatch(/approval-denied \(403\)/);

    const revealed = await remoteRun('alice', '--purpose', 'HRESCH', 'linkage', 'reveal', id, '--out', 'patients.tsv');
    expect(revealed.error).toBeUndefined();
    expect(revealed.out).toBe('');
    expect(revealed.err).toContain(`revealed ${String(new Set(tokens).size)} values of ${id} (purpose HRESCH) into`);
    const file = path.join(clientDir('alice'), 'patients.tsv');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const values = parseTsv(readFileSync(file, 'utf8'));
    expect(tokens.map((t) => values.get(t))).toEqual(originals);

    // Once: a second reveal is refused (and the existing file is never overwritten).
    expect((await remoteRun('alice', '--purpose', 'HRESCH', 'linkage', 'reveal', id, '--out', 'again.tsv')).error).toMatch(/approval-denied \(403\)/);
    expect((await remoteRun('alice', '--purpose', 'HRESCH', 'linkage', 'reveal', id, '--out', 'patients.tsv')).error).toContain('must not exist yet');

    // An approval lapses after 24 hours.
    const late = idOf((await remoteRun('alice', '--purpose', 'HRESCH', 'linkage', 'request', tokens[0] ?? '', '--reason', 'one more')).out);
    expect((await remoteRun('sam', 'linkage', 'approve', late)).error).toBeUndefined();
    skew = 24 * 3600_000 + 60_000;
    try {
      // Shown and listed as approval-expired (not approved with a past expiry), and not revealed.
      expect((await remoteRun('alice', 'linkage', 'show', late)).out).toMatch(new RegExp(`^${late}: approval-expired;[^]*the reveal window closed at \\d{4}-[^]* it can no longer be revealed`));
      expect((await remoteRun('alice', '--purpose', 'HRESCH', 'linkage', 'list', '--status', 'approval-expired')).out).toMatch(new RegExp(`${late}\\s+approval-expired\\s+HRESCH`));
      expect((await remoteRun('alice', '--purpose', 'HRESCH', 'linkage', 'list', '--status', 'approved')).out).not.toContain(late);
      expect((await remoteRun('alice', '--purpose', 'HRESCH', 'linkage', 'reveal', late, '--out', 'late.tsv')).error).toMatch(/approval-denied \(403\)/);
    } finally {
      skew = 0;
    }
    // A denial with a reason, which the requester sees.
    const denied = idOf((await remoteRun('alice', '--purpose', 'CLINTRCH', 'linkage', 'request', tokens[1] ?? '', '--reason', 'trial screening')).out);
    expect((await remoteRun('bob', 'linkage', 'deny', denied, '--reason', 'not in the IRB protocol')).out).toContain(`denied ${denied}`);
    expect((await remoteRun('alice', 'linkage', 'show', denied)).out).toContain('not in the IRB protocol');

    // The requester withdraws a request before it is decided: nobody else may, and then nobody approves it.
    const dropped = idOf((await remoteRun('alice', '--purpose', 'HRESCH', 'linkage', 'request', tokens[2] ?? '', '--reason', 'no longer needed')).out);
    expect((await remoteRun('bob', 'linkage', 'withdraw', dropped)).error).toMatch(/\(403\)/);
    expect((await remoteRun('alice', 'linkage', 'withdraw', dropped)).out).toBe(`withdrawn ${dropped} (1 tokens, HRESCH); it can no longer be approved or revealed\n`);
    expect((await remoteRun('bob', 'linkage', 'approve', dropped)).error).toMatch(/request-closed \(409\)/);
    expect((await remoteRun('alice', '--purpose', 'HRESCH', 'linkage', 'list', '--status', 'withdrawn')).out).toMatch(new RegExp(`${dropped}\\s+withdrawn\\s+HRESCH`));

    // The ledger has every step, and no value, name or reason text.
    const leaves = psql(`select action || '|' || convert_from(leaf, 'UTF8') from ${schemas.server}.ledger_entries order by idx`);
    const about = (rid: string): string[] => leaves.split('\n').filter((l) => l.includes(rid)).map((l) => {
      const leaf = JSON.parse(l.slice(l.indexOf('|') + 1)) as { action: string; outcome: string; reason?: string };
      return `${leaf.action}:${leaf.outcome}${leaf.reason === undefined ? '' : `:${leaf.reason}`}`;
    });
    expect(about(id)).toEqual([
      'linkage.reveal.request:success', 'linkage.reveal.approve:success', 'linkage.reveal.deny:denied:not-open',
      'linkage.reveal:denied:approval-denied', 'linkage.reveal:success', 'linkage.reveal:denied:approval-denied',
    ]);
    expect(about(late)).toEqual(['linkage.reveal.request:success', 'linkage.reveal.approve:success', 'linkage.reveal:denied:approval-denied']);
    expect(about(dropped)).toEqual(['linkage.reveal.request:success', 'linkage.reveal.withdraw:denied:not-requester', 'linkage.reveal.withdraw:success', 'linkage.reveal.approve:denied:withdrawn']);
    expect(leaves).toMatch(/authz\.decide\|.*"decision":"deny".*"policy1":"sod-no-self-approval"/);
    expect(leaves).toMatch(/authz\.decide\|.*"decision":"deny".*"policy1":"sod-reidentify-two-people"/);
    // The vault's own tables hold the values and the reasons sealed only.
    const tables = psql(`select id, requester, purpose, tokens, reason, coalesce(decision_reason, '') from ${schemas.server}.vault_reid_requests; select token, encode(sealed, 'escape') from ${schemas.server}.vault_linkage_entries`);
    expect(tables).toContain(id);
    for (const text of [leaves, logs, errors.join('\n'), tables]) {
      for (const v of [...originals, ...names]) expect(text).not.toContain(v);
      expect(text).not.toContain('Zeta-77');
      expect(text).not.toContain('IRB protocol');
    }
    expect(logs).toContain('"route":"/v1/linkage/requests/:id/reveal"');
  }, 240_000);

  it('locally (--as, keystore): the same flow and output lines; the vault itself refuses self-approval', async () => {
    const localTokens = await deidWithLinkage(localRoot, localEnv);
    const asked = await localRun('alice', '--purpose', 'HRESCH', 'linkage', 'request', ...localTokens.slice(0, 3), '--reason', REASON);
    const id = idOf(asked.out);
    expect(asked.out).toBe(`request ${id}: 3 tokens for HRESCH, open; another person must approve it (phiguard linkage approve ${id})\n`);
    expect((await localRun('alice', 'linkage', 'approve', id)).error).toContain('nobody approves their own request');
    expect((await localRun('bob', 'linkage', 'list', '--review')).out).toContain(id);
    expect((await localRun('bob', 'linkage', 'approve', id)).out).toMatch(new RegExp(`^approved ${id} \\(requester ${ids.alice ?? ''}, 3 tokens, HRESCH\\)`));
    expect((await localRun('bob', 'linkage', 'reveal', id)).error).toContain('re-identification refused');
    // stdout here is not a terminal: the values go there (e.g. into a pipe).
    const revealed = await localRun('alice', '--purpose', 'HRESCH', 'linkage', 'reveal', id);
    const values = parseTsv(revealed.out);
    expect(localTokens.slice(0, 3).map((t) => values.get(t))).toEqual(originals.slice(0, 3));
    expect((await localRun('alice', 'linkage', 'reveal', id)).error).toContain('re-identification refused');
    // Withdrawn after approval, locally: the reveal is refused by the vault itself.
    const dropped = idOf((await localRun('alice', '--purpose', 'HRESCH', 'linkage', 'request', localTokens[0] ?? '', '--reason', 'r')).out);
    expect((await localRun('bob', 'linkage', 'approve', dropped)).error).toBeUndefined();
    expect((await localRun('bob', 'linkage', 'withdraw', dropped)).error).toContain('only the requester can withdraw');
    expect((await localRun('alice', 'linkage', 'withdraw', dropped)).out).toContain(`withdrawn ${dropped}`);
    expect((await localRun('alice', '--purpose', 'HRESCH', 'linkage', 'reveal', dropped)).error).toContain('re-identification refused');
    expect((await localRun('alice', 'linkage', 'show', dropped)).out).toMatch(/^reid_\w+: withdrawn;[^]*approved by usr_\w+ at [^]*withdrawn by the requester at /);
    // The config's `linkage` section sets the time limits (docs/reidentification.md "Time limits"); out of bounds is refused, naming the setting.
    writeFileSync(path.join(localRoot, 'short-window.json'), JSON.stringify({ linkage: { revealWindowMs: 300_000 } }));
    writeFileSync(path.join(localRoot, 'too-short.json'), JSON.stringify({ linkage: { openTtlMs: 1000 } }));
    const configured = (file: string, user: string, ...args: string[]): Promise<Run> => run(localRoot, { ...localEnv, PHIGUARD_CONFIG: file }, [...args, '--as', ids[user] ?? '', '--key-file', keyFile]);
    expect((await configured('too-short.json', 'bob', 'linkage', 'list', '--review')).error).toMatch(/linkage\.openTtlMs must be a whole number of milliseconds from 3600000 to 7776000000 \(1 hour to 90 days\).*\[config-invalid\]$/);
    const windowed = idOf((await localRun('alice', '--purpose', 'HRESCH', 'linkage', 'request', localTokens[1] ?? '', '--reason', 'r')).out);
    expect((await configured('short-window.json', 'bob', 'linkage', 'approve', windowed)).error).toBeUndefined();
    const times = /approved by usr_\w+ at (\S+)\nmay be revealed by the requester once, until (\S+)/.exec((await configured('short-window.json', 'bob', 'linkage', 'show', windowed)).out);
    expect(Date.parse(times?.[2] ?? '') - Date.parse(times?.[1] ?? '')).toBe(300_000);
    // One request's history, as docs/reidentification.md shows it.
    const history = await run(localRoot, localEnv, ['audit', 'search', '--resource', `reid-request:${id}`]);
    expect(history.out.trim().split('\n').map((l) => (JSON.parse(l) as { action: string }).action)).toEqual([
      'linkage.reveal.request', 'linkage.reveal.approve', 'linkage.reveal.approve', 'linkage.reveal', 'linkage.reveal', 'linkage.reveal',
    ]);
    const leaves = psql(`select convert_from(leaf, 'UTF8') from ${schemas.local}.ledger_entries order by idx`);
    expect(leaves).toContain('"action":"linkage.reveal"');
    for (const v of originals) expect(leaves).not.toContain(v);
    expect(leaves).not.toContain('Zeta-77');
  }, 180_000);

  it('every linkage command has --help with an example', async () => {
    for (const command of ['request', 'list', 'show', 'approve', 'deny', 'withdraw', 'reveal']) {
      expect((await runCli({ cwd: localRoot, env: localEnv }, 'linkage', command, '--help')).out).toContain('$ phiguard');
    }
  });
});
