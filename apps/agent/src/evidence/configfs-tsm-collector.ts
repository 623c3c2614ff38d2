import { access, mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { reportDataBinding, type WireEvidence } from '@phiguard/compute';
import { AgentError } from '../agent-error.ts';
import type { EvidenceCollector } from './evidence-collector.ts';

/** Linux ≥ 6.7 configfs-tsm report interface (Documentation/ABI/testing/configfs-tsm). */
export const TSM_REPORT_DIR = '/sys/kernel/config/tsm/report';

/**
 * SEV-SNP or TDX evidence through the kernel's configfs-tsm interface, the one path both vendors'
 * guest drivers share: make a report directory, write the 64-byte REPORT_DATA to `inblob`, read
 * the signed report (SNP ATTESTATION_REPORT, or a TDX quote v4/v5) from `outblob` and, for SNP,
 * the certificate table (VCEK chain) from `auxblob`; `provider` says which (`sev_guest`,
 * `tdx_guest`). Older SNP guests have `/dev/sev-guest` (SNP_GET_EXT_REPORT ioctl) instead, and
 * older TDX guests `/dev/tdx_guest`: not supported here, use a kernel with configfs-tsm.
 *
 * Not runnable on machines without a TEE (none is lent to the project's CI): it is not exercised
 * by the tests; the verifiers it feeds are, with real vendor samples.
 */
export class ConfigfsTsmCollector implements EvidenceCollector {
  readonly kind: 'sev-snp' | 'tdx';
  readonly #root: string;

  constructor(kind: 'sev-snp' | 'tdx', root = TSM_REPORT_DIR) {
    this.kind = kind;
    this.#root = root;
  }

  async available(): Promise<boolean> {
    try {
      await access(this.#root);
      return true;
    } catch {
      return false;
    }
  }

  async collect(nonce: Uint8Array, keyHash: Uint8Array): Promise<WireEvidence> {
    if (!(await this.available())) throw new AgentError('collector-unavailable', 'configfs-tsm is not available on this machine', { place: { path: this.#root }, hint: 'mount configfs and load sev-guest or tdx-guest, or use --collector insecure-local with the dev flag' });
    const dir = path.join(this.#root, `phiguard-${String(process.pid)}-${String(Date.now())}`);
    await mkdir(dir);
    try {
      await writeFile(path.join(dir, 'inblob'), reportDataBinding(nonce, keyHash));
      const provider = (await readFile(path.join(dir, 'provider'), 'utf8')).trim();
      const expected = this.kind === 'sev-snp' ? 'sev_guest' : 'tdx_guest';
      if (provider !== expected) throw new AgentError('collector-unavailable', `configfs-tsm provider is not ${expected}`, { place: { path: dir } });
      const report = await readFile(path.join(dir, 'outblob'));
      const aux = this.kind === 'sev-snp' ? await readFile(path.join(dir, 'auxblob')).catch(() => Buffer.alloc(0)) : Buffer.alloc(0);
      return this.kind === 'sev-snp'
        ? { kind: 'sev-snp', report: report.toString('base64'), certTable: aux.toString('base64') }
        : { kind: 'tdx', quote: report.toString('base64') };
    } finally {
      await rmdir(dir).catch(() => undefined);
    }
  }
}
