import { mkdir, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { canonicalJson } from '@phiguard/core';
import { isSinkId, type AuditSink } from './audit-sink.ts';
import { mapToOcsf, type OcsfOptions } from './map-ocsf.ts';
import type { ShippedRecord } from './shipped-record.ts';
import { SiemError } from './siem-error.ts';

export interface NdjsonFileSinkOptions {
  readonly id: string;
  /** Appended to; created (mode 0600) when missing. */
  readonly path: string;
  readonly ocsf?: OcsfOptions;
}

/**
 * Appends one OCSF JSON object per line (canonical JSON) to a file a SIEM agent tails (Splunk
 * Universal Forwarder, Elastic Agent, Azure Monitor Agent). `send` resolves once the lines are
 * fsynced. A line torn by a crash is closed off with a newline before the next append, so it
 * stays one bad line and the re-sent records follow intact.
 */
export class NdjsonFileSink implements AuditSink {
  readonly id: string;
  readonly #path: string;
  readonly #ocsf: OcsfOptions;
  #file: FileHandle | undefined;
  #closed = false;

  constructor(options: NdjsonFileSinkOptions) {
    if (!isSinkId(options.id)) throw new TypeError('sink id must be 1-64 of [A-Za-z0-9._-]');
    this.id = options.id;
    this.#path = options.path;
    this.#ocsf = options.ocsf ?? {};
  }

  async send(batch: readonly ShippedRecord[]): Promise<void> {
    if (this.#closed) throw new SiemError('closed', 'sink is closed', { place: { field: this.id } });
    const text = batch.map((record) => `${canonicalJson(mapToOcsf(record, this.#ocsf))}\n`).join('');
    try {
      const file = await this.#open();
      await file.appendFile(text, 'utf8');
      await file.datasync();
    } catch (error) {
      // Reopen next time: the handle may be the reason.
      await this.#file?.close().catch(() => undefined);
      this.#file = undefined;
      throw new SiemError('write-failed', 'cannot append to the SIEM file', { cause: error, place: { file: this.#path } });
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const file = this.#file;
    this.#file = undefined;
    await file?.close();
  }

  async #open(): Promise<FileHandle> {
    if (this.#file !== undefined) return this.#file;
    // The folder is created (owner only) so a configured path works on first start.
    await mkdir(path.dirname(this.#path), { recursive: true, mode: 0o700 });
    const file = await open(this.#path, 'a+', 0o600);
    const { size } = await file.stat();
    if (size > 0) {
      const last = Buffer.alloc(1);
      await file.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) await file.appendFile('\n');
    }
    this.#file = file;
    return file;
  }
}
