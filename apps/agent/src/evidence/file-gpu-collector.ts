import { access, readFile } from 'node:fs/promises';
import type { WireEvidence } from '@phiguard/compute';
import { AgentError } from '../agent-error.ts';
import type { GpuEvidenceCollector } from './gpu-evidence-collector.ts';

const HEX = /^[0-9a-fA-F\s]+$/;

/**
 * Operator-provided GPU evidence files, sent as they are (replay tests, and checking a verifier
 * configuration against a report captured elsewhere): `report` is the SPDM report as binary or as
 * hex text (the form nvtrust's samples and `nvidia-smi conf-compute` dumps use), `certChain` the
 * device chain as PEM. A captured report is bound to the nonce of the run that captured it, never
 * to this job's, so the control plane refuses it (`nonce-mismatch` at the latest): this collector
 * cannot get PHI keys released, by design.
 */
export class FileGpuCollector implements GpuEvidenceCollector {
  readonly kind = 'file';
  readonly #report: string;
  readonly #certChain: string;

  constructor(files: { readonly report: string; readonly certChain: string }) {
    this.#report = files.report;
    this.#certChain = files.certChain;
  }

  async available(): Promise<boolean> {
    try {
      await access(this.#report);
      await access(this.#certChain);
      return true;
    } catch {
      return false;
    }
  }

  async collect(): Promise<WireEvidence> {
    const read = async (file: string): Promise<Buffer> => {
      try {
        return await readFile(file);
      } catch (cause) {
        throw new AgentError('collector-unavailable', 'cannot read the GPU evidence file', { cause, place: { path: file } });
      }
    };
    const raw = await read(this.#report);
    const text = raw.toString('latin1');
    const report = HEX.test(text) ? Buffer.from(text.replace(/\s+/g, ''), 'hex') : raw;
    const certChain = (await read(this.#certChain)).toString('utf8');
    if (!certChain.includes('-----BEGIN CERTIFICATE-----')) throw new AgentError('collector-unavailable', 'the GPU certificate chain file is not PEM', { place: { path: this.#certChain } });
    return { kind: 'nvidia-gpu', report: report.toString('base64'), certChain };
  }
}
