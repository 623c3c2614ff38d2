import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, systemClock } from '@phiguard/core';
import { initKeystore } from '@phiguard/keys';
import { MemoryAuditRecorder } from '@phiguard/testkit';
import { LINKAGE_TOKEN } from '@phiguard/vault';
import type { CliContext } from '../context.ts';
import { keystoreFile } from '../keys/keystore-access.ts';
import { buildProgram } from '../program.ts';
import { openLinkage } from './linkage-access.ts';

// A custom profile whose MRNs use the `encrypt` method: `phiguard deid fhir` writes linkage
// tokens, seals the originals into the linkage vault, and only a two-person reveal gets them back.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const patients = path.resolve(repoRoot, '../shared/corpus/fhir-bulk-ndjson-10patients/Patient.000.ndjson');
const ALICE = 'usr_01jxk3q8y9a2b3c4d5e6f7g8h9';
const BOB = 'usr_01jxk3q8y9a2b3c4d5e6f7g8ha';

let root: string | undefined;
afterEach(() => {
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
  root = undefined;
  process.exitCode = undefined;
});

function context(dir: string): CliContext {
  return { version: 'test', cwd: dir, env: {}, stdout: new PassThrough(), stderr: new PassThrough(), config: () => loadConfig({ cwd: dir, env: {} }) };
}

/** MRN values (Identifier.type MR) of the Patients in an NDJSON text. */
function mrns(ndjson: string): string[] {
  const out: string[] = [];
  for (const line of ndjson.split('\n')) {
    if (line.trim() === '') continue;
    const p = JSON.parse(line) as { identifier?: { type?: { coding?: { code?: string }[] }; value?: string }[] };
    for (const id of p.identifier ?? []) if (id.type?.coding?.some((c) => c.code === 'MR') === true && id.value !== undefined) out.push(id.value);
  }
  return out;
}

describe('deid fhir with an encrypt profile: tokens into the linkage vault', () => {
  it('writes LNK- tokens for MRNs that a requested, approved (by another person) reveal resolves to the originals', async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'deid-linkage-'));
    const ctx = context(root);
    const config = ctx.config(undefined);
    writeFileSync(path.join(root, 'master.key'), randomBytes(32), { mode: 0o600 });
    mkdirSync(path.dirname(keystoreFile(config.home)), { recursive: true, mode: 0o700 });
    const audit = new MemoryAuditRecorder();
    const { manager } = await initKeystore({
      file: keystoreFile(config.home), unlock: { kind: 'key-file', path: path.join(root, 'master.key') }, audit, clock: systemClock,
      actor: ALICE, custodians: [ALICE, BOB], threshold: 2,
    });
    await manager.createKey(ALICE, 'linkage-key');
    manager.close();
    writeFileSync(path.join(root, 'profile.json'), JSON.stringify({ id: 'linkage-mrn', version: '1', extends: 'safe-harbor', kinds: { mrn: { kind: 'encrypt' } } }));
    mkdirSync(path.join(root, 'in'));
    copyFileSync(patients, path.join(root, 'in/Patient.000.ndjson'));

    await buildProgram(ctx).parseAsync([
      'node', 'phiguard', 'deid', 'fhir', 'in', '--out', 'out', '--profile', 'profile.json', '--linkage-key', 'linkage-key', '--keystore-key-file', 'master.key', '--text-engine', 'known',
    ]);
    const input = readFileSync(patients, 'utf8');
    const output = readFileSync(path.join(root, 'out/Patient.000.ndjson'), 'utf8');
    const originals = mrns(input);
    const tokens = mrns(output);
    expect(originals.length).toBeGreaterThan(0);
    expect(tokens).toHaveLength(originals.length);
    for (const t of tokens) expect(t).toMatch(LINKAGE_TOKEN);
    for (const v of originals) expect(output).not.toContain(v);

    const linkage = await openLinkage(config, ctx, { linkageKey: 'linkage-key', keystoreKeyFile: 'master.key' }, audit);
    try {
      const request = await linkage.vault.request({ requester: ALICE, tokens, purpose: 'HRESCH', reason: 'contact trial candidates' });
      await expect(linkage.vault.approve({ requestId: request.id, approver: ALICE })).rejects.toThrow(/own request/);
      await linkage.vault.approve({ requestId: request.id, approver: BOB });
      const revealed = await linkage.vault.reveal({ requestId: request.id, actor: ALICE });
      expect(tokens.map((t) => revealed.get(t)?.value)).toEqual(originals);
      expect(new Set(tokens.map((t) => revealed.get(t)?.kind))).toEqual(new Set(['mrn']));
    } finally {
      await linkage.close();
    }
    expect(audit.events.map((e) => e.action)).toEqual(expect.arrayContaining(['linkage.reveal.request', 'linkage.reveal.approve', 'linkage.reveal']));
  }, 120_000);

  it('refuses an encrypt profile without --linkage-key, naming the option', async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'deid-linkage-'));
    const ctx = context(root);
    writeFileSync(path.join(root, 'profile.json'), JSON.stringify({ id: 'linkage-mrn', version: '1', extends: 'safe-harbor', kinds: { mrn: { kind: 'encrypt' } } }));
    mkdirSync(path.join(root, 'in'));
    copyFileSync(patients, path.join(root, 'in/Patient.000.ndjson'));
    await expect(buildProgram(ctx).parseAsync(['node', 'phiguard', 'deid', 'fhir', 'in', '--out', 'out', '--profile', 'profile.json'])).rejects.toMatchObject({
      code: 'bad-option', place: { field: '--linkage-key' },
    });
  }, 60_000);
});
