// DICOMweb against a real Orthanc PACS (Debian orthanc + orthanc-dicomweb; installed by .ci/run).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@phiguard/core';
import { readDicom } from '@phiguard/deid';
import { buildProgram } from '../program.ts';
import { DicomWebClient, DicomWebError } from './dicomweb-client.ts';

const corpus = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../shared/corpus');
const FILES = [
  'dicom-pydicom-testfiles/CT_small.dcm',
  'dicom-pydicom-testfiles/dicomdirtests_77654033_CT2_17106',
  'dicom-pydicom-testfiles/dicomdirtests_77654033_CT2_17136',
  'dicom-pydicom-testfiles/test-SR.dcm',
];

let orthanc: ChildProcess | undefined;
let dir = '';
let base = '';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        resolve(typeof address === 'object' && address !== null ? address.port : 0);
      });
    });
  });
}

function uidOf(bytes: Uint8Array, tag: number): string {
  const e = readDicom(bytes).dataset.find((x) => x.tag === tag);
  return Buffer.from(e?.value ?? []).toString('latin1').replace(/[\0 ]+$/, '');
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'orthanc-'));
  const [http, dicom] = [await freePort(), await freePort()];
  const conf = path.join(dir, 'orthanc.json');
  writeFileSync(
    conf,
    JSON.stringify({
      Name: 'phiguard-test',
      HttpPort: http,
      DicomPort: dicom,
      StorageDirectory: path.join(dir, 'db'),
      IndexDirectory: path.join(dir, 'db'),
      Plugins: ['/usr/share/orthanc/plugins'],
      DicomWeb: { Enable: true, Root: '/dicom-web/' },
      RemoteAccessAllowed: false,
      AuthenticationEnabled: false,
    }),
  );
  orthanc = spawn('Orthanc', [conf], { stdio: 'ignore' });
  const root = `http://127.0.0.1:${String(http)}`;
  for (let i = 0; i < 600; i++) {
    const ok = await fetch(`${root}/system`).then((r) => r.ok, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  for (const f of FILES) {
    const r = await fetch(`${root}/instances`, { method: 'POST', body: readFileSync(path.join(corpus, f)) });
    expect(r.ok).toBe(true);
  }
  base = `${root}/dicom-web`;
});

afterAll(async () => {
  const child = orthanc;
  if (child !== undefined && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('DicomWebClient against Orthanc', () => {
  it('QIDO-RS finds the studies and their instances; WADO-RS returns the stored files', async () => {
    const client = new DicomWebClient({ baseUrl: base });
    const studies = await client.searchStudies();
    const ct = readFileSync(path.join(corpus, FILES[0]!));
    const ctStudy = uidOf(ct, 0x0020000d);
    expect(studies).toContain(ctStudy);
    expect(studies).toHaveLength(3);
    const instances = await client.searchInstances(ctStudy);
    expect(instances).toHaveLength(1);
    const bytes = await client.retrieveInstance(instances[0]!);
    expect(uidOf(bytes, 0x00080018)).toBe(uidOf(ct, 0x00080018));
    expect(Buffer.from(bytes).equals(ct)).toBe(true);
    const twoInstances = await client.searchInstances(uidOf(readFileSync(path.join(corpus, FILES[1]!)), 0x0020000d));
    expect(twoInstances).toHaveLength(2);
  });

  it('QIDO-RS matching keys narrow the search', async () => {
    const client = new DicomWebClient({ baseUrl: base });
    expect(await client.searchStudies({ ModalitiesInStudy: 'SR' })).toEqual([uidOf(readFileSync(path.join(corpus, FILES[3]!)), 0x0020000d)]);
  });

  it('an unknown study is an HTTP error naming the path, not the UID value', async () => {
    const client = new DicomWebClient({ baseUrl: base });
    const error = await client.retrieveInstance({ studyInstanceUid: '1.2.3', seriesInstanceUid: '1.2.4', sopInstanceUid: '1.2.5' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DicomWebError);
    expect((error as DicomWebError).describe()).not.toContain('1.2.3');
  });

  it('phiguard deid dicom --dicomweb de-identifies a whole PACS into --out, with keyed names only', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'deid-dicomweb-'));
    try {
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      stdout.resume();
      stderr.resume();
      const ctx = { version: 'test', cwd: root, env: {}, stdout, stderr, config: () => loadConfig({ cwd: root, env: {} }) };
      await buildProgram(ctx).parseAsync(['node', 'phiguard', 'deid', 'dicom', '--dicomweb', base, '--out', 'out', '--profile', 'date-shift']);
      const outputs = readdirSync(path.join(root, 'out'), { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile() && e.name.endsWith('.dcm'))
        .map((e) => path.join(e.parentPath, e.name));
      expect(outputs).toHaveLength(4);
      const originals = FILES.map((f) => readFileSync(path.join(corpus, f)));
      const originalUids = originals.flatMap((b) => [uidOf(b, 0x0020000d), uidOf(b, 0x00080018)]);
      for (const file of outputs) {
        const bytes = readFileSync(file);
        expect(uidOf(bytes, 0x00120062)).toBe('YES');
        for (const uid of originalUids) {
          expect(bytes.includes(Buffer.from(uid))).toBe(false);
          expect(file).not.toContain(uid);
        }
      }
      // The two instances of one study stay one study.
      const studies = new Set(outputs.map((f) => uidOf(readFileSync(f), 0x0020000d)));
      expect(studies.size).toBe(3);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
