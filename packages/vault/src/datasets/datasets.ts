import type { AuditDetails, AuditEventInput, AuditResource } from '@phiguard/audit';
import { newId } from '@phiguard/core';
import { lockForbidsDelete } from '../blob/blob-store.ts';
import { VaultError } from '../vault-error.ts';
import type { DatasetRecord, VersionRecord } from './dataset-store.ts';
import { DATASET_NAME, type DatasetsOptions } from './datasets-context.ts';
import { checkVersionRecord, openVersion, readFile, type OpenedVersion } from './version-reader.ts';
import { providerFor, writeVersion, type AddVersionInput } from './version-writer.ts';
import type { IndexEntry } from './file-index.ts';

export interface CreateDatasetInput {
  readonly actor: string;
  /** A lower-case code (`chest-ct-2026`), never PHI: it shows in listings and the ledger's neighbours. */
  readonly name: string;
  readonly keyId: string;
  /** Provider id; default the first configured provider. */
  readonly provider?: string;
  readonly retainUntilMs?: number;
}

/** One problem found by {@link Datasets.verify}: where and what, never content. */
export interface VerifyProblem {
  readonly version: number;
  readonly blob?: string;
  readonly code: string;
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly versions: number;
  readonly blobs: number;
  readonly problems: readonly VerifyProblem[];
}

export interface GcReport {
  readonly deleted: readonly string[];
  readonly kept: readonly { readonly blob: string; readonly reason: 'retained' | 'legal-hold' | 'too-young' }[];
}

/**
 * Datasets (issue 3, sealed storage): immutable, signed, ledgered versions of sealed files, with
 * retention and legal hold that nobody can bypass (HIPAA §164.312(c)(1) integrity,
 * §164.316(b)(2)(i) retention). There is no override argument anywhere: an administrator is
 * refused like anyone else until the date passes and every hold is released.
 */
export class Datasets {
  readonly #o: DatasetsOptions;

  constructor(options: DatasetsOptions) {
    this.#o = options;
  }

  async create(input: CreateDatasetInput): Promise<DatasetRecord> {
    if (!DATASET_NAME.test(input.name)) throw new VaultError('invalid-name', 'dataset name must be a lower-case code (letters, digits, . _ -)', { place: { field: 'name' } });
    const record: DatasetRecord = Object.freeze({
      id: newId('ds', this.#o.clock),
      name: input.name,
      keyProvider: input.provider ?? this.#o.providers[0]?.id ?? 'local',
      keyId: input.keyId,
      createdBy: input.actor,
      createdMs: this.#o.clock.nowMs(),
      retainUntilMs: input.retainUntilMs ?? null,
      legalHold: false,
    });
    const provider = providerFor(this.#o.providers, record);
    await provider.describeKey(record.keyId); // fails with a KeysError for an unknown key
    await this.#o.store.createDataset(record);
    await this.#record(input.actor, 'dataset.create', record.id, { keyId: record.keyId, ...(record.retainUntilMs === null ? {} : { retainUntilMs: record.retainUntilMs }) });
    return record;
  }

  async dataset(idOrName: string): Promise<DatasetRecord> {
    const record = await this.#o.store.getDataset(idOrName);
    if (record === undefined) throw new VaultError('not-found', 'no such dataset', { place: { field: 'dataset' }, hint: 'phiguard datasets list' });
    return record;
  }

  list(): Promise<DatasetRecord[]> {
    return this.#o.store.listDatasets();
  }

  async versions(idOrName: string): Promise<VersionRecord[]> {
    return this.#o.store.listVersions((await this.dataset(idOrName)).id);
  }

  /** Adds version N+1 (see {@link writeVersion}) and records `dataset.version.create` with the manifest hash. */
  async addVersion(idOrName: string, input: AddVersionInput): Promise<VersionRecord> {
    const dataset = await this.dataset(idOrName);
    const record = await writeVersion(this.#o, dataset, input);
    // A hold or retention change made while this upload ran may have missed its blobs (it lists
    // committed versions only): re-read the dataset after the commit and apply what it says now.
    const now = await this.dataset(dataset.id);
    for (const blob of record.blobs) {
      if (now.legalHold) await this.#o.blobs.setLegalHold(blob, true);
      if (now.retainUntilMs !== null && now.retainUntilMs !== dataset.retainUntilMs) await this.#o.blobs.setRetention(blob, now.retainUntilMs);
    }
    const receipt = await this.#o.audit.record(versionEvent(input.actor, record, false));
    await this.#o.store.markLedgered(record.datasetId, record.version, receipt.index);
    return { ...record, ledgerIndex: receipt.index };
  }

  /**
   * Records the ledger entry of versions committed just before a crash (committed but not yet
   * ledgered). Run at start-up; returns how many were repaired.
   */
  async reconcile(): Promise<number> {
    const pending = await this.#o.store.unledgeredVersions();
    for (const record of pending) {
      const manifest = checkVersionRecord(record, this.#o);
      const receipt = await this.#o.audit.record(versionEvent(manifest.createdBy, record, true));
      await this.#o.store.markLedgered(record.datasetId, record.version, receipt.index);
    }
    return pending.length;
  }

  /** Checks the manifest and opens the sealed file index of a version (default: the newest). */
  async open(actor: string, idOrName: string, version?: number): Promise<OpenedVersion> {
    const dataset = await this.dataset(idOrName);
    const number = version ?? (await this.#o.store.latestVersion(dataset.id));
    const record = await this.#o.store.getVersion(dataset.id, number);
    if (record === undefined) throw new VaultError('not-found', 'no such dataset version', { place: { index: number } });
    try {
      const opened = await openVersion(record, this.#o);
      await this.#record(actor, 'dataset.read', dataset.id, { version: number, manifestHash: record.manifestHash });
      return opened;
    } catch (error) {
      await this.#record(actor, 'dataset.read', dataset.id, { version: number }, 'failure', 'integrity');
      throw error;
    }
  }

  /** The plaintext of one file of an opened version (frames authenticated, digest checked at the end). */
  read(opened: OpenedVersion, entry: IndexEntry): AsyncGenerator<Buffer> {
    return readFile(opened, entry, this.#o.blobs, this.#o);
  }

  /**
   * Verifies every version (or one): manifest hash and signature, parent links, ledger entry,
   * every blob present and hashing to its address; `deep` also unseals every file and checks
   * its plaintext digest. Never stops at the first problem.
   */
  async verify(idOrName: string, options: { version?: number; deep?: boolean } = {}): Promise<VerifyReport> {
    const dataset = await this.dataset(idOrName);
    const all = await this.#o.store.listVersions(dataset.id);
    const selected = options.version === undefined ? all : all.filter((v) => v.version === options.version);
    const problems: VerifyProblem[] = [];
    let blobCount = 0;
    for (const record of selected) {
      let opened: OpenedVersion | undefined;
      try {
        opened = await openVersion(record, this.#o);
      } catch (error) {
        problems.push({ version: record.version, code: codeOf(error) });
      }
      if (record.ledgerIndex === null) problems.push({ version: record.version, code: 'not-ledgered' });
      const parent = all.find((v) => v.version === record.version - 1);
      if (opened !== undefined && (opened.manifest.parent?.manifestHash ?? null) !== (parent?.manifestHash ?? null)) problems.push({ version: record.version, code: 'parent-mismatch' });
      for (const blob of record.blobs) {
        blobCount += 1;
        try {
          for await (const chunk of this.#o.blobs.get(blob)) chunk.fill(0);
        } catch (error) {
          problems.push({ version: record.version, blob, code: codeOf(error) });
        }
      }
      if (options.deep === true && opened !== undefined) {
        for (const entry of opened.files) {
          try {
            for await (const chunk of readFile(opened, entry, this.#o.blobs, this.#o)) chunk.fill(0);
          } catch (error) {
            problems.push({ version: record.version, blob: entry.blob, code: codeOf(error) });
          }
        }
      }
    }
    return Object.freeze({ ok: problems.length === 0, versions: selected.length, blobs: blobCount, problems: Object.freeze(problems) });
  }

  /** Places a legal hold on the dataset and every blob of it (and of its future versions). */
  async hold(actor: string, idOrName: string): Promise<void> {
    await this.#setHold(actor, idOrName, true);
  }

  async releaseHold(actor: string, idOrName: string): Promise<void> {
    await this.#setHold(actor, idOrName, false);
  }

  /** Extends retention of the dataset and its blobs to `untilMs` (never shortens: `retention-shortened`). */
  async setRetention(actor: string, idOrName: string, untilMs: number): Promise<void> {
    const dataset = await this.dataset(idOrName);
    if (dataset.retainUntilMs !== null && untilMs < dataset.retainUntilMs) {
      await this.#record(actor, 'dataset.retention.set', dataset.id, { retainUntilMs: untilMs }, 'denied', 'retention-shortened');
      throw new VaultError('retention-shortened', 'a retention date can only move later', { place: { field: 'retainUntil' } });
    }
    await this.#o.store.setRetention(dataset.id, untilMs);
    for (const blob of await this.#blobsOf(dataset.id)) await this.#o.blobs.setRetention(blob, untilMs);
    await this.#record(actor, 'dataset.retention.set', dataset.id, { retainUntilMs: untilMs });
  }

  /**
   * Deletes a dataset (all versions and blobs) once retention has passed and no hold is on;
   * otherwise refuses with `retained` or `legal-hold` (and records the refusal). No override.
   */
  async delete(actor: string, idOrName: string): Promise<void> {
    const dataset = await this.dataset(idOrName);
    const refusal = lockForbidsDelete({ retainUntilMs: dataset.retainUntilMs, legalHold: dataset.legalHold }, this.#o.clock.nowMs());
    if (refusal !== undefined) {
      await this.#record(actor, 'dataset.delete', dataset.id, {}, 'denied', refusal);
      throw new VaultError(refusal, refusal === 'retained' ? 'the dataset is under retention' : 'the dataset is under legal hold', { place: { field: 'dataset' } });
    }
    const blobs = await this.#blobsOf(dataset.id);
    for (const blob of blobs) {
      const stat = await this.#o.blobs.stat(blob);
      const blocked = stat === undefined ? undefined : lockForbidsDelete(stat.lock, this.#o.clock.nowMs());
      if (blocked !== undefined) {
        await this.#record(actor, 'dataset.delete', dataset.id, { blob }, 'denied', blocked);
        throw new VaultError(blocked, 'a blob of the dataset is still locked', { place: { path: blob } });
      }
    }
    await this.#o.store.deleteDataset(dataset.id);
    for (const blob of blobs) await this.#o.blobs.delete(blob);
    await this.#record(actor, 'dataset.delete', dataset.id, { blobs: blobs.length });
  }

  /**
   * Removes blobs no version references (left by a crashed upload or a deleted dataset) once they
   * are older than `minAgeMs` (default 1 h: an upload in progress has not committed yet) and their
   * retention and hold allow.
   */
  async gc(actor: string, options: { minAgeMs?: number } = {}): Promise<GcReport> {
    const minAge = options.minAgeMs ?? 3_600_000;
    const referenced = await this.#o.store.referencedBlobs();
    const deleted: string[] = [];
    const kept: GcReport['kept'][number][] = [];
    const now = this.#o.clock.nowMs();
    for await (const blob of this.#o.blobs.list()) {
      if (referenced.has(blob)) continue;
      const stat = await this.#o.blobs.stat(blob);
      if (stat === undefined) continue;
      if (now - stat.createdMs < minAge) {
        kept.push({ blob, reason: 'too-young' });
        continue;
      }
      // Re-check right before deleting: a version may have been committed meanwhile.
      if ((await this.#o.store.referencedBlobs()).has(blob)) continue;
      const result = await this.#o.blobs.delete(blob);
      if (result.ok) deleted.push(blob);
      else if (result.reason !== 'not-found') kept.push({ blob, reason: result.reason });
    }
    await this.#record(actor, 'dataset.gc', undefined, { deleted: deleted.length, kept: kept.length });
    return Object.freeze({ deleted: Object.freeze(deleted), kept: Object.freeze(kept) });
  }

  async #setHold(actor: string, idOrName: string, on: boolean): Promise<void> {
    const dataset = await this.dataset(idOrName);
    await this.#o.store.setLegalHold(dataset.id, on);
    for (const blob of await this.#blobsOf(dataset.id)) await this.#o.blobs.setLegalHold(blob, on);
    await this.#record(actor, on ? 'dataset.hold.place' : 'dataset.hold.release', dataset.id, {});
  }

  async #blobsOf(datasetId: string): Promise<string[]> {
    return [...new Set((await this.#o.store.listVersions(datasetId)).flatMap((v) => v.blobs))];
  }

  async #record(actor: string, action: string, datasetId: string | undefined, details: AuditDetails, outcome: AuditEventInput['outcome'] = 'success', reason?: string): Promise<void> {
    const resources: AuditResource[] = datasetId === undefined ? [] : [{ type: 'dataset', id: datasetId }];
    await this.#o.audit.record({ actor: actorOf(actor), action, outcome, resources, details, ...(reason === undefined ? {} : { reason }) });
  }
}

function versionEvent(actor: string, record: VersionRecord, recovered: boolean): AuditEventInput {
  return {
    actor: actorOf(actor),
    action: 'dataset.version.create',
    outcome: 'success',
    resources: [{ type: 'dataset', id: record.datasetId }],
    details: { version: record.version, manifestHash: record.manifestHash, blobs: record.blobs.length, signerKeyId: record.signerKeyId, ...(recovered ? { recovered: true } : {}) },
  };
}

function actorOf(actor: string): AuditEventInput['actor'] {
  if (actor === 'system') return { kind: 'system', id: 'vault' };
  return { kind: actor.startsWith('svc_') ? 'service' : 'user', id: actor };
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'error';
}
