import { isReferenceToken } from '@phiguard/audit';
import { ComputeError } from '../compute-error.ts';
import type { JobFacts } from '../placement/compute-policy.ts';

/**
 * What a user submits to run (`phiguard jobs submit JOB.json`): references and codes only, never
 * data. The command runs on the node with `PHIGUARD_INPUT_DIR`, `PHIGUARD_OUTPUT_DIR` and
 * `PHIGUARD_JOB_ID` in its environment; `image` runs it in a container instead (docker/podman).
 */
export interface RunSpec {
  readonly classification: 'phi' | 'deidentified' | 'none';
  readonly input: { readonly dataset: string; readonly version?: number };
  /** The dataset that receives the sealed outputs as a new version. */
  readonly output: { readonly dataset: string };
  readonly command: readonly string[];
  readonly image?: string;
  /** Extra environment (names upper-case; values are not data). */
  readonly env?: Readonly<Record<string, string>>;
  readonly gpu?: { readonly count: number };
  readonly timeoutSeconds?: number;
  readonly maxAttempts?: number;
}

const CLASSES = ['phi', 'deidentified', 'none'] as const;
const ENV_NAME = /^[A-Z][A-Z0-9_]{0,63}$/;
const IMAGE = /^[a-z0-9][a-z0-9._/:@-]{0,254}$/;

function fail(path: string, what: string): never {
  throw new ComputeError('invalid-input', `${path} ${what}`, { place: { path } });
}

/** Checks a submitted run spec; `ComputeError` `invalid-input` names the field. */
export function parseRunSpec(input: unknown): RunSpec {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) fail('$', 'must be an object');
  const s = input as Record<string, unknown>;
  const known = new Set(['classification', 'input', 'output', 'command', 'image', 'env', 'gpu', 'timeoutSeconds', 'maxAttempts']);
  for (const key of Object.keys(s)) if (!known.has(key)) fail(`$.${key}`, 'is not a run spec field');
  if (typeof s.classification !== 'string' || !(CLASSES as readonly string[]).includes(s.classification)) fail('$.classification', 'must be phi, deidentified or none');
  const inp = s.input as Record<string, unknown> | undefined;
  if (typeof inp !== 'object' || typeof inp.dataset !== 'string' || !isReferenceToken(inp.dataset)) fail('$.input.dataset', 'must be a dataset id (ds_…)');
  if (inp.version !== undefined && (!Number.isInteger(inp.version) || (inp.version as number) < 1)) fail('$.input.version', 'must be a positive integer');
  const out = s.output as Record<string, unknown> | undefined;
  if (typeof out !== 'object' || typeof out.dataset !== 'string' || !isReferenceToken(out.dataset)) fail('$.output.dataset', 'must be a dataset id (ds_…)');
  if (!Array.isArray(s.command) || s.command.length === 0 || s.command.length > 64 || !s.command.every((a) => typeof a === 'string' && a.length <= 4096 && !a.includes('\u0000')))
    fail('$.command', 'must be 1..64 strings (program and arguments)');
  if (s.image !== undefined && (typeof s.image !== 'string' || !IMAGE.test(s.image))) fail('$.image', 'must be a container image reference');
  const env: unknown = s.env ?? {};
  if (typeof env !== 'object' || env === null || Array.isArray(env)) fail('$.env', 'must be an object of strings');
  for (const [k, v] of Object.entries(env as Record<string, unknown>)) {
    if (!ENV_NAME.test(k) || k.startsWith('PHIGUARD_')) fail(`$.env.${k}`, 'must be an upper-case name not starting with PHIGUARD_');
    if (typeof v !== 'string' || v.length > 4096) fail(`$.env.${k}`, 'must be a string of at most 4096 characters');
  }
  const gpu = (s.gpu ?? { count: 0 }) as Record<string, unknown>;
  if (!Number.isInteger(gpu.count) || (gpu.count as number) < 0 || (gpu.count as number) > 64) fail('$.gpu.count', 'must be an integer 0..64');
  if (s.timeoutSeconds !== undefined && (!Number.isInteger(s.timeoutSeconds) || (s.timeoutSeconds as number) < 1 || (s.timeoutSeconds as number) > 7 * 86_400)) fail('$.timeoutSeconds', 'must be 1..604800');
  if (s.maxAttempts !== undefined && (!Number.isInteger(s.maxAttempts) || (s.maxAttempts as number) < 1 || (s.maxAttempts as number) > 10)) fail('$.maxAttempts', 'must be 1..10');
  return Object.freeze({
    classification: s.classification as RunSpec['classification'],
    input: Object.freeze({ dataset: inp.dataset, ...(inp.version === undefined ? {} : { version: inp.version as number }) }),
    output: Object.freeze({ dataset: out.dataset }),
    command: Object.freeze([...(s.command as string[])]),
    ...(s.image === undefined ? {} : { image: s.image }),
    env: Object.freeze({ ...(env as Record<string, string>) }),
    gpu: Object.freeze({ count: gpu.count as number }),
    ...(s.timeoutSeconds === undefined ? {} : { timeoutSeconds: s.timeoutSeconds as number }),
    ...(s.maxAttempts === undefined ? {} : { maxAttempts: s.maxAttempts as number }),
  });
}

/** The facts key release and placement decide on. */
export function runJobFacts(jobId: string, spec: RunSpec): JobFacts {
  return Object.freeze({ id: jobId, classification: spec.classification, gpuCount: spec.gpu?.count ?? 0, gpuModels: [], minGpuMemoryGiB: 0, budgetMicroUsdPerHour: undefined, regions: [] });
}
