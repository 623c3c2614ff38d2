import { createPrivateKey, createPublicKey } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { openLedger } from '@phiguard/audit';
import { loadConfig, systemClock } from '@phiguard/core';
import { decodeHl7Bytes, verifyManifest, type SignedDeidManifest } from '@phiguard/deid';
import type { CliContext } from '../context.ts';
import { buildProgram } from '../program.ts';
import { outputNamerOf } from '../testing/cli-harness.ts';

const corpus = path.resolve(import.meta.dirname, '../../../../../shared/corpus');
let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
  process.exitCode = undefined;
});

function context(root: string): { ctx: CliContext; out: PassThrough } {
  const out = new PassThrough();
  const env = { PHIGUARD_HOME: path.join(root, '.phiguard') };
  return {
    out,
    ctx: { version: 'test', cwd: root, env, stdout: out, stderr: out, config: (file) => loadConfig({ cwd: root, env, ...(file === undefined ? {} : { file }) }) },
  };
}

async function run(root: string, args: string[]): Promise<string> {
  const { ctx, out } = context(root);
  await buildProgram(ctx).parseAsync(['node', 'phiguard', ...args]);
  return String(out.read() ?? '');
}

describe('phiguard deid hl7v2', () => {
  it('de-identifies a corpus folder, keeps the layout, signs the manifest, resumes, lists malformed files', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'deid-hl7-cli-'));
    dirs.push(root);
    const input = path.join(root, 'in');
    mkdirSync(path.join(input, 'hapi'), { recursive: true });
    for (const f of readdirSync(path.join(corpus, 'hl7v2-hapi'))) copyFileSync(path.join(corpus, 'hl7v2-hapi', f), path.join(input, 'hapi', f));
    copyFileSync(path.join(corpus, 'hl7v2-msft-fhir-converter/ADT-A01-01.hl7'), path.join(input, 'adt.hl7'));
    writeFileSync(path.join(input, 'broken.hl7'), 'PID|1||SECRET-ID^^^H^MR||SECRETNAME^X\r');

    const printed = await run(root, ['deid', 'hl7v2', 'in', '--out', 'out', '--profile', 'date-shift']);
    expect(process.exitCode).toBe(1);
    const names = outputNamerOf(path.join(root, '.phiguard'));
    // Piped, as in a job's log: the report names the outputs only (--report-names auto).
    expect(printed).toContain(`failed: ${names.path('broken.hl7')}: `);
    expect(printed).toContain(`deid 2/8 ${names.path('broken.hl7')}: FAILED hl7-no-msh`);
    expect(printed).not.toContain('SECRET');
    for (const f of readdirSync(path.join(input, 'hapi'))) expect(statSync(path.join(root, 'out', names.path(`hapi/${f}`))).isFile()).toBe(true);
    // Nothing under --out names an input: neither the outputs nor the journal that makes the run resumable.
    const written = readdirSync(path.join(root, 'out'), { recursive: true }).map(String);
    const journal = readFileSync(path.join(root, 'out/.phiguard-deid-journal.jsonl'), 'utf8');
    for (const name of ['hapi', 'adt', 'broken', ...readdirSync(path.join(input, 'hapi')).map((f) => f.replace(/\.\w+$/, ''))]) {
      expect(written.join('\n'), name).not.toContain(name);
      expect(journal, name).not.toContain(name);
      expect(printed, name).not.toContain(name);
    }
    const adt = decodeHl7Bytes(readFileSync(path.join(root, 'out', names.path('adt.hl7')))).text;
    expect(adt.slice(0, 4)).toBe(decodeHl7Bytes(readFileSync(path.join(input, 'adt.hl7'))).text.slice(0, 4));
    expect(adt).not.toContain('EVERYMAN');

    const keyFile = path.join(root, '.phiguard/deid.key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyFile)).toHaveLength(32);
    const signed = JSON.parse(readFileSync(path.join(root, 'out/deid-manifest.json'), 'utf8')) as SignedDeidManifest;
    const publicKey = createPublicKey(createPrivateKey(readFileSync(path.join(root, '.phiguard/deid-manifest-signing.pem'))));
    expect(verifyManifest(signed, publicKey)).toBe(true);
    expect(signed.manifest.totals).toMatchObject({ files: 8, filesFailed: 1 });
    expect(signed.manifest.profile.id).toBe('date-shift');
    expect(JSON.stringify(signed)).not.toContain('broken');

    // The run is in the audit ledger, by manifest hash, without PHI.
    const ledger = await openLedger({ config: context(root).ctx.config(undefined), clock: systemClock });
    try {
      const hits = await ledger.search({ action: 'deid.run' });
      expect(hits).toHaveLength(1);
      expect(hits[0]?.event.resources).toEqual([{ type: 'deid-manifest', id: signed.hash }]);
      expect(hits[0]?.event.details).toMatchObject({ format: 'hl7v2', profile: 'date-shift', files: 8, filesFailed: 1 });
      expect(JSON.stringify(hits)).not.toContain('SECRET');
    } finally {
      await ledger.close();
    }

    process.exitCode = undefined;
    const again = await run(root, ['deid', 'hl7v2', 'in', '--out', 'out', '--profile', 'date-shift', '--report-names', 'input']);
    expect(again).toMatch(/resumed \(already done\)\s+8/);
    expect(again).toContain(`adt.hl7 → ${names.path('adt.hl7')}: ok`);
    expect(again).toContain('failed: broken.hl7: ');
    expect(again).toContain('(line 1, segment PID) [hl7-no-msh]');
    await expect(run(root, ['deid', 'hl7v2', 'in', '--out', 'out', '--profile', 'safe-harbor'])).rejects.toMatchObject({ code: 'journal-mismatch' });
  });

  it('refuses bad options before touching keys or outputs', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'deid-hl7-cli-'));
    dirs.push(root);
    writeFileSync(path.join(root, 'a.hl7'), 'MSH|^~\\&|A\r');
    await expect(run(root, ['deid', 'hl7v2', 'a.hl7', '--out', 'out', '--shift-window', '2'])).rejects.toMatchObject({ code: 'bad-option' });
    writeFileSync(path.join(root, 'vault.yaml'), 'id: v\nversion: "1"\nextends: safe-harbor\nkinds: {ssn: {kind: encrypt}}\n');
    await expect(run(root, ['deid', 'hl7v2', 'a.hl7', '--out', 'out', '--profile', 'vault.yaml'])).rejects.toMatchObject({ code: 'bad-option' });
    writeFileSync(path.join(root, 'bad.yaml'), 'id: v\nversion: "1"\nextends: safe-harbor\nkinds: {ssn: {kind: shred}}\n');
    await expect(run(root, ['deid', 'hl7v2', 'a.hl7', '--out', 'out', '--profile', 'bad.yaml'])).rejects.toMatchObject({ code: 'invalid-profile', place: { path: '$.kinds.ssn.kind' } });
    expect(() => statSync(path.join(root, '.phiguard/deid.key'))).toThrow();
  });

  it('refuses a key file others can read', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'deid-hl7-cli-'));
    dirs.push(root);
    writeFileSync(path.join(root, 'k.key'), Buffer.alloc(32, 1), { mode: 0o644 });
    writeFileSync(path.join(root, 'a.hl7'), 'MSH|^~\\&|A\r');
    await expect(run(root, ['deid', 'hl7v2', 'a.hl7', '--out', 'out', '--key-file', 'k.key'])).rejects.toMatchObject({ code: 'key-file' });
  });
  it('removes from free text the identifiers no field lists (a relative, dates, SSN, phone, e-mail, address) by default', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'deid-hl7-text-'));
    dirs.push(root);
    mkdirSync(path.join(root, 'in'));
    // OBX-5 (TX) and NTE-3 name what PID does not: Safe Harbor covers relatives and every date element of the text.
    const report =
      'Compared with the study of 02/11/2023. Findings discussed with his daughter Mary Jones (617-555-0199) on March 15, 2024. ' +
      'SSN 123-45-6789, email mjones@example.org.';
    writeFileSync(
      path.join(root, 'in/report.hl7'),
      [
        'MSH|^~\\&|LAB|HOSP|EHR|HOSP|20240314120000||ORU^R01|MSG0001|P|2.5.1',
        'PID|1||MRN7788123^^^HOSP^MR||QUIXOTE^ZEBULON||19610314|M',
        // Coded fields (CWE) whose text a person typed, no code beside it: admit reason, order reason, diagnosis, allergy.
        // A location whose description (PV1-3.9) a person typed.
        'PV1|1|I|4W^401^A^GENHOSP^^^MAIN^4^bed by window, husband Ignatius Fairweather 617-555-0177 stays over',
        'PV2|||^Fell at home 03/10/2024, found by neighbor Susan Miller 617-555-0142^',
        'ORC|NW|ORD1|||||||||||||||^Cancelled per son Dale Whitcombe on 3/14/2024^',
        'DG1|1||R55^Syncope^I10~^Injury at 12 Oak Street, Springfield^',
        'AL1|1||^Rash noted by Dr. Alan Grant on 02/02/2024^',
        // A specimen source (OBR-15, SPS) whose collection method (SPS-3) and uncoded source text a person typed.
        'OBR|1|ORD1||24331-1^Lipid panel^LN|||20240314||||||||BLDV&Blood venous&HL70070~&wound swab taken by Nurse Opal Threlkeld^^drawn at home 9 Birch Lane by daughter Wilhelmina Voss',
        `OBX|1|TX|71020^REPORT^CPT||${report}||||||F`,
        // A coded value with no code, only text (CWE.2), and CWE.9 original text: what a person typed.
        'OBX|2|CWE|56799-0^Living situation^LN||^Lives with mother Martha Pike^L~LA6576-8^Positive^LN^^^^^^positive per aunt Gwendolyn Pike||||||F',
        'NTE|1||Follow up at 742 Evergreen Terrace, Shelbyville 02139 with Ruth Jones.',
        // The patient's own name misspelt: the clinical pass matches known names within a small edit distance.
        'NTE|2||Mr Quixotte agreed.',
        '',
      ].join('\r'),
    );
    const secrets = ['Mary', 'Jones', 'Ruth', '02/11/2023', 'March 15', '617-555-0199', '123-45-6789', 'mjones@example.org', '742 Evergreen', '02139', 'QUIXOTE', 'ZEBULON', 'Zebulon', 'Quixotte', 'Martha', 'Gwendolyn', 'Pike', '03/10/2024', 'Susan', 'Miller', '617-555-0142', 'Whitcombe', '3/14/2024', '12 Oak', 'Springfield', 'Grant', '02/02/2024', 'Ignatius', 'Fairweather', '617-555-0177', 'Opal', 'Threlkeld', '9 Birch', 'Wilhelmina', 'Voss'];
    await run(root, ['deid', 'hl7v2', 'in', '--out', 'out']);
    const out = decodeHl7Bytes(readFileSync(path.join(root, 'out', outputNamerOf(path.join(root, '.phiguard')).path('report.hl7')))).text;
    expect(out).toContain('OBX|1|TX|71020^REPORT^CPT||');
    expect(out).toContain('~LA6576-8^Positive^LN^^^^^^'); // the code and its display stay
    expect(out).toContain('DG1|1||R55^Syncope^I10~^');
    expect(out).toContain('PV1|1|I|4W^401^A^GENHOSP^^^MAIN^4^bed by window, husband [NAME] [PHONE] stays over');
    expect(out).toContain('|BLDV&Blood venous&HL70070~&wound swab taken by Nurse [NAME]^^drawn at home'); // the code and its display stay
    for (const secret of secrets) expect(out, secret).not.toContain(secret);
    // The known-identifier engine alone (an explicit choice) leaves what no field of the message lists.
    await run(root, ['deid', 'hl7v2', 'in', '--names', 'keep', '--out', 'out-known', '--text-engine', 'known']);
    const known = decodeHl7Bytes(readFileSync(path.join(root, 'out-known/report.hl7'))).text;
    expect(known).not.toContain('QUIXOTE');
    expect(known).toContain('Mary Jones');
    expect(known).toContain('123-45-6789');
  });
});
