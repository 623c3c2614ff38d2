import { newId, type Clock } from '@phiguard/core';
import { ComputeError } from '../compute-error.ts';
import type { JobFacts } from './compute-policy.ts';

/** A job's placement needs (`phiguard compute plan JOB.json`). Holds ids and codes only, never data. */
export interface JobSpec {
  readonly id?: string;
  readonly classification: 'phi' | 'deidentified' | 'none';
  readonly gpu?: { readonly count: number; readonly models?: readonly string[]; readonly minMemoryGiB?: number };
  readonly budgetPerHourUsd?: number;
  readonly regions?: readonly string[];
}

const CLASSIFICATIONS = ['phi', 'deidentified', 'none'] as const;
const CODE = /^[a-z0-9][a-z0-9-]{0,31}$/;
const JOB_ID = /^job_[0-9a-hjkmnp-tv-z]{26}$/;

function fail(path: string, what: string): never {
  throw new ComputeError('invalid-input', `${path} ${what}`, { place: { path } });
}

/** Checks a job spec (e.g. parsed JOB.json) and turns it into the facts the policy sees. */
export function jobFactsFromSpec(input: unknown, clock: Clock): JobFacts {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) fail('$', 'must be an object');
  const spec = input as Record<string, unknown>;
  const id = spec.id ?? newId('job', clock);
  if (typeof id !== 'string' || !JOB_ID.test(id)) fail('$.id', 'must be a job id (job_…)');
  const classification = spec.classification;
  if (typeof classification !== 'string' || !(CLASSIFICATIONS as readonly string[]).includes(classification)) fail('$.classification', 'must be phi, deidentified or none');
  const gpu = (spec.gpu ?? { count: 0 }) as Record<string, unknown>;
  if (typeof gpu !== 'object' || Array.isArray(gpu)) fail('$.gpu', 'must be {count, models?, minMemoryGiB?}');
  const count = gpu.count ?? 0;
  if (!Number.isInteger(count) || (count as number) < 0 || (count as number) > 64) fail('$.gpu.count', 'must be an integer 0..64');
  const models = gpu.models ?? [];
  if (!Array.isArray(models) || !models.every((m): m is string => typeof m === 'string' && CODE.test(m))) fail('$.gpu.models', 'must be a list of model codes');
  const minMemory = gpu.minMemoryGiB ?? 0;
  if (!Number.isInteger(minMemory) || (minMemory as number) < 0) fail('$.gpu.minMemoryGiB', 'must be a non-negative integer');
  const budget = spec.budgetPerHourUsd;
  if (budget !== undefined && (typeof budget !== 'number' || !Number.isFinite(budget) || budget < 0)) fail('$.budgetPerHourUsd', 'must be a non-negative number of dollars');
  const regions = spec.regions ?? [];
  if (!Array.isArray(regions) || !regions.every((r): r is string => typeof r === 'string' && CODE.test(r))) fail('$.regions', 'must be a list of region codes');
  return Object.freeze({
    id,
    classification: classification as JobFacts['classification'],
    gpuCount: count as number,
    gpuModels: Object.freeze([...models]),
    minGpuMemoryGiB: minMemory as number,
    budgetMicroUsdPerHour: budget === undefined ? undefined : Math.round(budget * 1e6),
    regions: Object.freeze([...regions]),
  });
}
