import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Datasets } from './datasets.ts';
import { ALICE, BOB, DAY, file, openDatasetsFixture, SEEDED, T0, type DatasetsFixture } from './datasets.fixture.ts';
import { collect } from './version-reader.ts';

let fx: DatasetsFixture;
beforeAll(async () => {
  fx = await openDatasetsFixture();
});
afterAll(async () => {
  await fx.close();
});

let counter = 0;
const uniqueName = (): string => `ds-${String((counter += 1))}`;

async function readAll(datasets: Datasets, name: string, version?: number): Promise<Map<string, Buffer>> {
  const opened = await datasets.open(ALICE, name, version);
  const out = new Map<string, Buffer>();
  for (const entry of opened.files) out.set(entry.name, await collect(datasets.read(opened, entry)));
  return out;
}

async function* walk(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else yield full;
  }
}

describe('Datasets', () => {
  it('get(put(x)) = x for random files, sizes and frame boundaries', async () => {
    const name = uniqueName();
    await fx.datasets.create({ actor: ALICE, name, keyId: 'dataset-key' });
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.tuple(fc.stringMatching(/^[a-z][a-z0-9]{0,8}(\/[a-z0-9]{1,6})?$/), fc.uint8Array({ maxLength: 20_000 })), { minLength: 1, maxLength: 4, selector: ([n]) => n }), async (files) => {
        const record = await fx.datasets.addVersion(name, { actor: ALICE, files: files.map(([n, bytes]) => file(n, bytes)), replace: true });
        const back = await readAll(fx.datasets, name, record.version);
        expect([...back.keys()].sort()).toEqual(files.map(([n]) => n).sort());
        for (const [n, bytes] of files) expect(back.get(n)?.equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: 15 },
    );
  });

  it('versions are immutable and chained; each is ledgered with its manifest hash', async () => {
    const name = uniqueName();
    const ds = await fx.datasets.create({ actor: ALICE, name, keyId: 'dataset-key' });
    const v1 = await fx.datasets.addVersion(name, { actor: ALICE, files: [file('a.txt', 'alpha'), file('b.txt', 'beta')] });
    const v2 = await fx.datasets.addVersion(name, { actor: BOB, files: [file('b.txt', 'beta 2'), file('c/d.txt', 'delta')], deidManifest: `sha256:${'ab'.repeat(32)}` });
    expect(v2.version).toBe(2);
    expect(JSON.parse(v2.manifest)).toMatchObject({ parent: { version: 1, manifestHash: v1.manifestHash }, createdBy: BOB, deidManifest: `sha256:${'ab'.repeat(32)}` });
    expect(Object.fromEntries([...(await readAll(fx.datasets, name, 1))].map(([k, v]) => [k, v.toString()]))).toEqual({ 'a.txt': 'alpha', 'b.txt': 'beta' });
    expect(Object.fromEntries([...(await readAll(fx.datasets, name))].map(([k, v]) => [k, v.toString()]))).toEqual({ 'a.txt': 'alpha', 'b.txt': 'beta 2', 'c/d.txt': 'delta' });
    const events = fx.audit.withAction('dataset.version.create').filter((e) => e.resources?.[0]?.id === ds.id);
    expect(events.map((e) => e.details)).toEqual([
      { version: 1, manifestHash: v1.manifestHash, blobs: 3, signerKeyId: v1.signerKeyId },
      { version: 2, manifestHash: v2.manifestHash, blobs: 4, signerKeyId: v2.signerKeyId },
    ]);
    expect((await fx.datasets.versions(name)).map((v) => v.ledgerIndex)).toEqual([v1.ledgerIndex, v2.ledgerIndex]);
    expect(await fx.datasets.verify(name, { deep: true })).toMatchObject({ ok: true, versions: 2, problems: [] });
  });

  it('two concurrent uploads of the same dataset: one wins, the other gets version-conflict', async () => {
    const name = uniqueName();
    await fx.datasets.create({ actor: ALICE, name, keyId: 'dataset-key' });
    const results = await Promise.allSettled([
      fx.datasets.addVersion(name, { actor: ALICE, files: [file('x', 'one')] }),
      fx.datasets.addVersion(name, { actor: BOB, files: [file('y', 'two')] }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'version-conflict' } });
    expect(await fx.datasets.versions(name)).toHaveLength(1);
  });

  it('any change of a stored blob byte is detected by verify and by reads', async () => {
    const name = uniqueName();
    await fx.datasets.create({ actor: ALICE, name, keyId: 'dataset-key' });
    const v = await fx.datasets.addVersion(name, { actor: ALICE, files: [file('scan.bin', Buffer.alloc(9000, 7))] });
    const { chmod, writeFile } = await import('node:fs/promises');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...v.blobs), fc.nat(), fc.integer({ min: 1, max: 255 }), async (blob, at, xor) => {
        const hex = blob.slice(7);
        const target = path.join(fx.blobRoot, 'objects', hex.slice(0, 2), hex);
        const original = await readFile(target);
        const changed = Buffer.from(original);
        const index = at % changed.length;
        changed[index] = (changed[index] ?? 0) ^ xor;
        await chmod(target, 0o600);
        await writeFile(target, changed);
        try {
          const report = await fx.datasets.verify(name);
          expect(report.ok).toBe(false);
          expect(report.problems.some((p) => p.blob === blob || p.code === 'blob-corrupt')).toBe(true);
          await expect(readAll(fx.datasets, name)).rejects.toThrow();
        } finally {
          await writeFile(target, original);
        }
      }),
      { numRuns: 20 },
    );
    expect((await fx.datasets.verify(name, { deep: true })).ok).toBe(true);
  });

  it('any change of a stored manifest, its hash or signature is detected', async () => {
    const name = uniqueName();
    await fx.datasets.create({ actor: ALICE, name, keyId: 'dataset-key' });
    const v = await fx.datasets.addVersion(name, { actor: ALICE, files: [file('a', 'x')] });
    const { checkVersionRecord } = await import('./version-reader.ts');
    fc.assert(
      fc.property(fc.constantFrom('manifest', 'manifestHash', 'signature') , fc.nat(), fc.integer({ min: 1, max: 31 }), (field, at, xor) => {
        const text = v[field as 'manifest'];
        const i = at % text.length;
        const changed = text.slice(0, i) + String.fromCharCode(text.charCodeAt(i) ^ xor) + text.slice(i + 1);
        fc.pre(changed !== text && Buffer.from(changed, field === 'signature' ? 'base64' : 'utf8').toString(field === 'signature' ? 'base64' : 'utf8') !== text);
        expect(() => checkVersionRecord({ ...v, [field]: changed }, fx.options)).toThrow(/manifest|signature/);
      }),
      { numRuns: 200 },
    );
    // A manifest re-signed by an untrusted key is refused too.
    const { generateManifestSigner } = await import('./manifest-signer.ts');
    const rogue = generateManifestSigner().signer;
    const signature = Buffer.from(await rogue.sign(Buffer.from(v.manifest))).toString('base64');
    expect(() => checkVersionRecord({ ...v, signature, signerKeyId: rogue.keyId }, fx.options)).toThrow(expect.objectContaining({ code: 'signature-invalid' }) as Error);
  });

  it('retention: no delete before the date by anyone (dataset API, blob store, SQL); shortening refused; allowed after', async () => {
    const name = uniqueName();
    fx.clock.set(T0);
    const ds = await fx.datasets.create({ actor: ALICE, name, keyId: 'dataset-key', retainUntilMs: T0 + 30 * DAY });
    const v = await fx.datasets.addVersion(name, { actor: ALICE, files: [file('a', 'kept')] });
    for (const actor of [ALICE, BOB]) await expect(fx.datasets.delete(actor, name)).rejects.toMatchObject({ code: 'retained' });
    for (const blob of v.blobs) expect(await fx.blobs.delete(blob)).toEqual({ ok: false, reason: 'retained' });
    await expect(fx.datasets.setRetention(ALICE, name, T0 + DAY)).rejects.toMatchObject({ code: 'retention-shortened' });
    expect(fx.audit.events.filter((e) => e.resources?.[0]?.id === ds.id && e.outcome === 'denied').map((e) => [e.action, e.reason])).toEqual([
      ['dataset.delete', 'retained'],
      ['dataset.delete', 'retained'],
      ['dataset.retention.set', 'retention-shortened'],
    ]);
    await fx.datasets.setRetention(ALICE, name, T0 + 40 * DAY);
    fx.clock.set(T0 + 35 * DAY);
    await expect(fx.datasets.delete(ALICE, name)).rejects.toMatchObject({ code: 'retained' });
    fx.clock.set(T0 + 40 * DAY);
    await fx.datasets.delete(ALICE, name);
    for (const blob of v.blobs) expect(await fx.blobs.stat(blob)).toBeUndefined();
    fx.clock.set(T0);
  });

  it('legal hold: no delete while held, even after retention; blobs added while held are held; release allows it', async () => {
    const name = uniqueName();
    fx.clock.set(T0);
    await fx.datasets.create({ actor: ALICE, name, keyId: 'dataset-key', retainUntilMs: T0 + DAY });
    const v1 = await fx.datasets.addVersion(name, { actor: ALICE, files: [file('a', '1')] });
    await fx.datasets.hold(BOB, name);
    const v2 = await fx.datasets.addVersion(name, { actor: ALICE, files: [file('b', '2')] });
    fx.clock.set(T0 + 400 * DAY);
    await expect(fx.datasets.delete(ALICE, name)).rejects.toMatchObject({ code: 'legal-hold' });
    for (const blob of [...v1.blobs, ...v2.blobs]) expect(await fx.blobs.delete(blob)).toEqual({ ok: false, reason: 'legal-hold' });
    await fx.datasets.releaseHold(BOB, name);
    await fx.datasets.delete(ALICE, name);
    expect(fx.audit.withAction('dataset.hold.place')).toHaveLength(1);
    expect(fx.audit.withAction('dataset.hold.release')).toHaveLength(1);
    fx.clock.set(T0);
  });

  it('a hold and a retention placed while an upload runs reach the blobs of that upload', async () => {
    const name = uniqueName();
    fx.clock.set(T0);
    await fx.datasets.create({ actor: ALICE, name, keyId: 'dataset-key' });
    const racing = {
      name: 'late.bin',
      open: async function* (): AsyncGenerator<Uint8Array> {
        yield Buffer.alloc(5000, 1);
        await fx.datasets.hold(BOB, name);
        await fx.datasets.setRetention(BOB, name, T0 + 9 * DAY);
        yield Buffer.alloc(5000, 2);
      },
    };
    const v = await fx.datasets.addVersion(name, { actor: ALICE, files: [racing] });
    for (const blob of v.blobs) expect((await fx.blobs.stat(blob))?.lock).toEqual({ retainUntilMs: T0 + 9 * DAY, legalHold: true });
    await fx.datasets.releaseHold(BOB, name);
  });

  it('gc removes unreferenced blobs only when old enough and unlocked; referenced blobs stay', async () => {
    const name = uniqueName();
    fx.clock.set(T0);
    await fx.datasets.create({ actor: ALICE, name, keyId: 'dataset-key' });
    const v = await fx.datasets.addVersion(name, { actor: ALICE, files: [file('a', 'keep me')] });
    const orphan = await fx.blobs.put([Buffer.from('left by a crashed upload')]);
    const lockedOrphan = await fx.blobs.put([Buffer.from('crashed upload of a retained dataset')], { retainUntilMs: T0 + 10 * DAY });
    let report = await fx.datasets.gc(ALICE);
    expect(report.kept).toEqual(expect.arrayContaining([{ blob: orphan.hash, reason: 'too-young' }]));
    fx.clock.set(T0 + 2 * 3_600_000);
    report = await fx.datasets.gc(ALICE);
    expect(report.deleted).toContain(orphan.hash);
    expect(report.kept).toContainEqual({ blob: lockedOrphan.hash, reason: 'retained' });
    for (const blob of v.blobs) expect(await fx.blobs.stat(blob)).toBeDefined();
    fx.clock.set(T0 + 11 * DAY);
    expect((await fx.datasets.gc(ALICE)).deleted).toContain(lockedOrphan.hash);
    expect((await fx.datasets.verify(name, { deep: true })).ok).toBe(true);
    fx.clock.set(T0);
  });

  it('a version committed but not ledgered (ledger down) is ledgered by reconcile', async () => {
    const name = uniqueName();
    await fx.datasets.create({ actor: ALICE, name, keyId: 'dataset-key' });
    const failing = new Datasets({ ...fx.options, audit: { record: () => Promise.reject(new Error('ledger unavailable')) } });
    await expect(failing.addVersion(name, { actor: ALICE, files: [file('a', 'x')] })).rejects.toThrow('ledger unavailable');
    const [pending] = await fx.datasets.versions(name);
    expect(pending?.ledgerIndex).toBeNull();
    expect((await fx.datasets.verify(name)).problems).toEqual([{ version: 1, code: 'not-ledgered' }]);
    expect(await fx.datasets.reconcile()).toBe(1);
    expect(fx.audit.withAction('dataset.version.create').at(-1)?.details).toMatchObject({ version: 1, recovered: true, manifestHash: pending?.manifestHash });
    expect((await fx.datasets.verify(name)).ok).toBe(true);
  });

  it('seeded identifiers never reach manifests, ledger events, errors or stored bytes in clear', async () => {
    const name = uniqueName();
    await fx.datasets.create({ actor: ALICE, name, keyId: 'dataset-key' });
    const secretName = `${SEEDED[0] ?? ''}/${SEEDED[1] ?? ''}.dcm`;
    const content = SEEDED.join(' | ').repeat(50);
    const v = await fx.datasets.addVersion(name, { actor: ALICE, files: [file(secretName, content)] });
    const errors: string[] = [];
    for (const bad of [`../${SEEDED[0] ?? ''}`, `/${SEEDED[1] ?? ''}`, `a//${SEEDED[2] ?? ''}`]) {
      const error = await fx.datasets.addVersion(name, { actor: ALICE, files: [file(bad, 'x')] }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'invalid-name' });
      errors.push(String(error), JSON.stringify(error), (error as Error).stack ?? '');
    }
    const channels = [v.manifest, JSON.stringify(await fx.datasets.versions(name)), JSON.stringify(fx.audit.events), errors.join('\n')];
    for await (const stored of walk(fx.blobRoot)) channels.push((await readFile(stored)).toString('latin1'));
    for (const channel of channels) for (const seed of SEEDED) expect(channel).not.toContain(seed);
    expect((await readAll(fx.datasets, name)).get(secretName)?.toString()).toBe(content);
  });
});
