import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { gpuNonce, parseSpdmReport, type WireEvidence } from '@phiguard/compute';
import { AgentError } from '../agent-error.ts';
import type { GpuEvidenceCollector } from './gpu-evidence-collector.ts';

/** The helper the agent runs when none is configured (found on PATH). */
export const NVIDIA_HELPER = 'phiguard-nvml-report';
/** The NVIDIA driver's control device: absent, there is no driver to ask. */
export const NVIDIA_CONTROL_DEVICE = '/dev/nvidiactl';

const B64 = /^[A-Za-z0-9+/]+={0,2}$/;
const HELPER_TIMEOUT_MS = 60_000;

async function executable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * GPU evidence from an NVIDIA Hopper/Blackwell GPU in confidential-computing mode. Needs the NVIDIA
 * driver with CC mode on (`nvidia-smi conf-compute -grs` says `ready`) and a small helper program
 * the operator installs, because Node has no NVML binding: the helper is called as
 * `HELPER --nonce <64 hex digits> --index <gpu>` and must print one JSON object
 * `{"report": "<base64 SPDM report>", "certChain": "<PEM device chain>"}`, obtained with NVML's
 * `nvmlDeviceGetConfComputeGpuAttestationReport` (the 32-byte nonce in, the attestation report
 * out) and `nvmlDeviceGetConfComputeGpuCertificate` (the attestation certificate chain), as
 * nvtrust's local GPU verifier does. The agent checks that the report's SPDM request nonce is this
 * job's `gpuNonce(nonce, keyHash)` before sending it; the control plane verifies the rest.
 *
 * It cannot run without that hardware (none is lent to the project's CI): without the driver or
 * the helper it is a typed `collector-unavailable` error, never made-up evidence. Only GPU 0 is
 * attested for now (one `gpuEvidence` per release).
 */
export class NvidiaCcCollector implements GpuEvidenceCollector {
  readonly kind = 'nvidia-cc';
  readonly #helper: string;
  readonly #device: string;
  readonly #index: number;
  readonly #searchPath: string;

  /** `searchPath`: the PATH to find a helper named without a `/` in (the agent passes its environment's). */
  constructor(options: { readonly helper?: string; readonly device?: string; readonly index?: number; readonly searchPath?: string } = {}) {
    this.#helper = options.helper ?? NVIDIA_HELPER;
    this.#searchPath = options.searchPath ?? '';
    this.#device = options.device ?? NVIDIA_CONTROL_DEVICE;
    this.#index = options.index ?? 0;
  }

  /** The helper's absolute path: as configured, or the first executable of that name on PATH. */
  async #resolveHelper(): Promise<string | undefined> {
    if (this.#helper.includes('/')) return (await executable(this.#helper)) ? this.#helper : undefined;
    for (const dir of this.#searchPath.split(path.delimiter).filter((d) => d !== '')) {
      const file = path.join(dir, this.#helper);
      if (await executable(file)) return file;
    }
    return undefined;
  }

  async available(): Promise<boolean> {
    try {
      await access(this.#device);
    } catch {
      return false;
    }
    return (await this.#resolveHelper()) !== undefined;
  }

  async collect(nonce: Uint8Array, keyHash: Uint8Array): Promise<WireEvidence> {
    const hint = 'install the NVIDIA driver with confidential computing on and the phiguard-nvml-report helper (docs/compute/agent.md "GPU evidence")';
    try {
      await access(this.#device);
    } catch {
      throw new AgentError('collector-unavailable', 'the NVIDIA driver is not loaded on this machine', { place: { path: this.#device }, hint });
    }
    const helper = await this.#resolveHelper();
    if (helper === undefined) throw new AgentError('collector-unavailable', 'the NVIDIA attestation helper is not installed', { place: { path: this.#helper }, hint });
    const expected = gpuNonce(nonce, keyHash);
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(helper, ['--nonce', Buffer.from(expected).toString('hex'), '--index', String(this.#index)], { timeout: HELPER_TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024, encoding: 'utf8' }, (error, out) => {
        // The helper's stderr may name devices; only its exit status is reported.
        if (error !== null) reject(new AgentError('collector-unavailable', `the NVIDIA attestation helper failed (${typeof error.code === 'number' ? `exit ${String(error.code)}` : 'not run'})`, { place: { path: helper }, hint: 'is the GPU in confidential-computing mode? nvidia-smi conf-compute -grs' }));
        else resolve(out);
      });
    });
    return helperEvidence(stdout, expected, helper);
  }
}

/** Checks the helper's answer: the documented JSON shape, a parsable SPDM report bound to `expected`. */
export function helperEvidence(stdout: string, expected: Uint8Array, place: string): WireEvidence {
  const invalid = (what: string): never => {
    throw new AgentError('collector-unavailable', `the NVIDIA attestation helper's answer ${what}`, { place: { path: place } });
  };
  let answer: unknown;
  try {
    answer = JSON.parse(stdout);
  } catch {
    return invalid('is not JSON');
  }
  const { report, certChain } = (typeof answer === 'object' && answer !== null ? answer : {}) as { report?: unknown; certChain?: unknown };
  if (typeof report !== 'string' || !B64.test(report)) return invalid('has no base64 report');
  if (typeof certChain !== 'string' || !certChain.includes('-----BEGIN CERTIFICATE-----')) return invalid('has no PEM certChain');
  let requestNonce: Uint8Array;
  try {
    requestNonce = parseSpdmReport(new Uint8Array(Buffer.from(report, 'base64'))).requestNonce;
  } catch {
    return invalid('is not an SPDM measurements report');
  }
  if (!Buffer.from(requestNonce).equals(Buffer.from(expected))) invalid('is not bound to this job\'s nonce');
  return { kind: 'nvidia-gpu', report, certChain };
}
