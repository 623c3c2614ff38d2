import { ComputeError } from '../compute-error.ts';
import { dayStartMs } from './baa.ts';
import { BAA_STATUSES, CONTACT_ROLES, CPU_TEE_KINDS, GPU_CC_KINDS, type Baa, type NewNode, type NewProvider } from './catalog-types.ts';

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const REGION = /^[a-z0-9][a-z0-9-]{0,31}$/;
const MODEL = /^[a-z0-9][a-z0-9-]{0,31}$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}\.[a-z]{2,24}$/i;

function fail(path: string, what: string): never {
  throw new ComputeError('invalid-input', `${path} ${what}`, { place: { path } });
}
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isIn = <T extends string>(list: readonly T[], v: unknown): v is T => typeof v === 'string' && (list as readonly string[]).includes(v);

export function validateBaa(input: unknown, path = '$.baa'): Baa {
  if (!isRecord(input)) fail(path, 'must be an object {status, effectiveOn?, expiresOn?}');
  if (!isIn(BAA_STATUSES, input.status)) fail(`${path}.status`, `must be one of ${BAA_STATUSES.join(', ')}`);
  const day = (key: 'effectiveOn' | 'expiresOn'): string | undefined => {
    const v = input[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || dayStartMs(v) === undefined) fail(`${path}.${key}`, 'must be a date YYYY-MM-DD');
    return v;
  };
  const effectiveOn = day('effectiveOn');
  const expiresOn = day('expiresOn');
  if (effectiveOn !== undefined && expiresOn !== undefined && expiresOn <= effectiveOn) fail(`${path}.expiresOn`, 'must be after effectiveOn');
  return Object.freeze({ status: input.status, ...(effectiveOn === undefined ? {} : { effectiveOn }), ...(expiresOn === undefined ? {} : { expiresOn }) });
}

/** Checks a new provider; {@link ComputeError} `invalid-input` naming the field. */
export function validateNewProvider(input: unknown): NewProvider {
  if (!isRecord(input)) fail('$', 'must be an object');
  if (typeof input.name !== 'string' || !NAME.test(input.name)) fail('$.name', 'must be 1-64 of [a-z0-9._-]');
  const regions = input.regions ?? [];
  if (!Array.isArray(regions) || !regions.every((r): r is string => typeof r === 'string' && REGION.test(r))) fail('$.regions', 'must be a list of region codes');
  const contacts = input.contacts ?? [];
  if (!Array.isArray(contacts)) fail('$.contacts', 'must be a list');
  const checked = contacts.map((c: unknown, i) => {
    if (!isRecord(c) || !isIn(CONTACT_ROLES, c.role)) return fail(`$.contacts[${String(i)}].role`, `must be one of ${CONTACT_ROLES.join(', ')}`);
    if (typeof c.email !== 'string' || !EMAIL.test(c.email)) return fail(`$.contacts[${String(i)}].email`, 'must be an e-mail address');
    return Object.freeze({ role: c.role, email: c.email });
  });
  return Object.freeze({ name: input.name, regions: Object.freeze([...new Set(regions)]), contacts: Object.freeze(checked), baa: validateBaa(input.baa ?? { status: 'none' }) });
}

/** Checks a new node; {@link ComputeError} `invalid-input` naming the field. */
export function validateNewNode(input: unknown): NewNode {
  if (!isRecord(input)) fail('$', 'must be an object');
  if (typeof input.providerId !== 'string' || input.providerId === '') fail('$.providerId', 'must be a provider id');
  if (typeof input.name !== 'string' || !NAME.test(input.name)) fail('$.name', 'must be 1-64 of [a-z0-9._-]');
  if (typeof input.region !== 'string' || !REGION.test(input.region)) fail('$.region', 'must be a region code');
  const gpu = input.gpu;
  if (!isRecord(gpu)) fail('$.gpu', 'must be {model, count, memoryGiB}');
  if (typeof gpu.model !== 'string' || !MODEL.test(gpu.model)) fail('$.gpu.model', 'must be a model code such as h100');
  const count = (v: unknown, path: string, max: number): number => (Number.isInteger(v) && (v as number) >= 0 && (v as number) <= max ? (v as number) : fail(path, `must be an integer 0..${String(max)}`));
  const gpuCount = count(gpu.count, '$.gpu.count', 64);
  const gpuMemory = count(gpu.memoryGiB, '$.gpu.memoryGiB', 4096);
  const memoryGiB = count(input.memoryGiB, '$.memoryGiB', 1 << 20);
  const cpuTee = input.cpuTee ?? [];
  if (!Array.isArray(cpuTee) || !cpuTee.every((t) => isIn(CPU_TEE_KINDS, t))) fail('$.cpuTee', `must be a list of ${CPU_TEE_KINDS.join(', ')}`);
  const gpuCc = input.gpuCc ?? [];
  if (!Array.isArray(gpuCc) || !gpuCc.every((t) => isIn(GPU_CC_KINDS, t))) fail('$.gpuCc', `must be a list of ${GPU_CC_KINDS.join(', ')}`);
  if (typeof input.diskEncryption !== 'boolean') fail('$.diskEncryption', 'must be true or false');
  const price = input.pricePerHourUsd;
  if (price !== undefined && (typeof price !== 'number' || !Number.isFinite(price) || price < 0 || price > 1e6)) fail('$.pricePerHourUsd', 'must be a non-negative number of dollars');
  if (input.enabled !== undefined && typeof input.enabled !== 'boolean') fail('$.enabled', 'must be true or false');
  return Object.freeze({
    providerId: input.providerId,
    name: input.name,
    region: input.region,
    gpu: Object.freeze({ model: gpu.model, count: gpuCount, memoryGiB: gpuMemory }),
    memoryGiB,
    cpuTee: Object.freeze([...new Set(cpuTee)]),
    gpuCc: Object.freeze([...new Set(gpuCc)]),
    diskEncryption: input.diskEncryption,
    ...(price === undefined ? {} : { pricePerHourUsd: price }),
    ...(input.enabled === undefined ? {} : { enabled: input.enabled }),
  });
}
