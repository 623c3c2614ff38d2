import { ManualClock, newId } from '@phiguard/core';
// The client's own model serializer: it silently drops every field its OpenAPI models do not know.
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import fc from 'fast-check';
import { Job } from 'kubernetes-models/batch/v1';
import { describe, expect, it } from 'vitest';
import { ComputeError } from '../compute-error.ts';
import { DNS1123_LABEL, LABEL_VALUE } from './job-labels.ts';
import { buildJobManifest, type KubernetesJobRequest } from './job-manifest.ts';
import { resolveManifestOptions, type JobManifestOptions } from './job-manifest-options.ts';
import { STANDARD_GPU_RUNTIME, type RuntimeClassProfile } from './runtime-class-profile.ts';

const clock = new ManualClock(Date.UTC(2026, 10, 24));
const DIGEST_IMAGE = `registry.example/phiguard/agent@sha256:${'a'.repeat(64)}`;
const BASE: JobManifestOptions = {
  namespace: 'phiguard-jobs',
  agentImage: DIGEST_IMAGE,
  serverUrl: 'https://phiguard.example:8443',
  credentials: { kind: 'projected-token', audience: 'phiguard' },
};

function request(spec: Record<string, unknown>, extra: Partial<KubernetesJobRequest> = {}): KubernetesJobRequest {
  return { jobId: newId('job', clock), attempt: 1, timeoutMs: 3_600_000, spec, ...extra };
}

/** The Kubernetes OpenAPI schema (kubernetes-models' validators) plus "no field the API does not know". */
function expectValidJob(manifest: object): void {
  expect(() => {
    new Job(manifest).validate();
  }).not.toThrow();
  const roundTrip = ObjectSerializer.serialize(manifest, 'V1Job', '') as unknown;
  expect(roundTrip).toEqual(manifest);
}

const CASES: readonly [string, Record<string, unknown>, Partial<JobManifestOptions>][] = [
  ['PHI on one GPU', { classification: 'phi', gpu: { count: 1 } }, {}],
  ['PHI on 8 H100s in a region, API key Secret', { classification: 'phi', gpu: { count: 8, models: ['h100'], minMemoryGiB: 80 }, regions: ['us-east-1'] }, { credentials: { kind: 'api-key-secret', secretName: 'phiguard-agent-key' }, serverCaConfigMap: 'phiguard-ca' }],
  ['PHI without GPU', { classification: 'phi' }, {}],
  ['de-identified on a standard GPU', { classification: 'deidentified', gpu: { count: 2, models: ['a100-80gb', 'h100'] } }, { runtimeClasses: [STANDARD_GPU_RUNTIME], agentImage: 'phiguard/agent:1.0' }],
  ['public data, priority class, custom sizes', { classification: 'none' }, { priorityClassName: 'batch-low', cpu: '500m', memory: '2Gi', workspaceSize: '1Gi', ttlSecondsAfterFinished: 0 }],
];

describe('buildJobManifest', () => {
  it.each(CASES)('%s: valid against the Kubernetes OpenAPI schema, no unknown field', (_name, spec, options) => {
    const built = buildJobManifest(request(spec), resolveManifestOptions({ ...BASE, ...options }));
    expectValidJob(built.manifest);
    expect(built.name).toMatch(DNS1123_LABEL);
    expect(built.name.length).toBeLessThanOrEqual(63);
    for (const value of Object.values(built.manifest.metadata?.labels ?? {})) expect(value).toMatch(LABEL_VALUE);
  });

  it('the check itself fails on a misspelt field, a wrong type, a bad enum and a bad quantity', () => {
    const good = buildJobManifest(request({ classification: 'phi', gpu: { count: 1 } }), resolveManifestOptions(BASE)).manifest;
    const broken = (path: readonly (string | number)[], value: unknown): object => {
      const copy = structuredClone(good) as unknown as Record<string | number, unknown>;
      let node = copy;
      for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
      node[path[path.length - 1]!] = value;
      return copy;
    };
    const pod = ['spec', 'template', 'spec'];
    expect(() => { expectValidJob(broken([...pod, 'runtimeClass'], 'kata-qemu-snp')); }).toThrow();
    expect(() => { expectValidJob(broken(['spec', 'backoffLimit'], '0')); }).toThrow();
    expect(() => { expectValidJob(broken([...pod, 'restartPolicy'], 'Sometimes')); }).toThrow();
    expect(() => { expectValidJob(broken([...pod, 'containers', 0, 'resources', 'limits', 'memory'], '32 GB')); }).toThrow();
  });

  it('PHI with GPUs gets a CoCo GPU runtime class, CC-mode nodes, pgpu limits and the hardening', () => {
    const built = buildJobManifest(request({ classification: 'phi', gpu: { count: 2, models: ['h100'] } }, { timeoutMs: 90_500 }), resolveManifestOptions(BASE));
    const job = built.manifest;
    const pod = job.spec?.template.spec;
    const container = pod?.containers[0];
    expect(pod?.runtimeClassName).toBe('kata-qemu-nvidia-gpu-snp');
    expect(job.spec?.backoffLimit).toBe(0);
    expect(job.spec?.activeDeadlineSeconds).toBe(91);
    expect(container?.resources?.limits).toEqual({ cpu: '4', memory: '32Gi', 'nvidia.com/pgpu': '2' });
    expect(pod?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[0]?.matchExpressions).toEqual([
      { key: 'amd.feature.node.kubernetes.io/snp', operator: 'In', values: ['true'] },
      { key: 'nvidia.com/cc.mode', operator: 'In', values: ['on', 'ppcie'] },
      { key: 'nvidia.com/gpu.product', operator: 'In', values: ['NVIDIA-H100-80GB-HBM3', 'NVIDIA-H100-PCIe', 'NVIDIA-H100-NVL'] },
    ]);
    expect(pod?.automountServiceAccountToken).toBe(false);
    expect(pod?.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container?.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(pod?.volumes?.find((v) => v.name === 'workspace')?.emptyDir).toEqual({ medium: 'Memory', sizeLimit: '16Gi' });
    expect(pod?.volumes?.find((v) => v.name === 'agent-token')?.projected?.sources?.[0]?.serviceAccountToken).toEqual({ audience: 'phiguard', expirationSeconds: 600, path: 'token' });
    // No Secret is ever mounted or referenced for data keys.
    expect(JSON.stringify(job)).not.toMatch(/secretKeyRef|"secret":/);
    expect(built.insecure).toBe(false);
    // apps/agent's flags and variables: one job, the collector of the runtime's TEE, the memory workspace.
    expect(container?.args).toEqual(['--max-jobs', '1']);
    expect(Object.fromEntries((container?.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value]))).toMatchObject({
      PHIGUARD_AGENT_SERVER: 'https://phiguard.example:8443',
      PHIGUARD_AGENT_COLLECTOR: 'sev-snp',
      PHIGUARD_AGENT_WORKSPACE: '/phiguard/workspace',
    });
    expect(container?.env?.some((e) => e.name === 'PHIGUARD_AGENT_DEV_INSECURE_LOCAL')).toBe(false);
  });

  it('the TEE placement chose picks the runtime class; the API-key credential is the only Secret reference', () => {
    const built = buildJobManifest(
      request({ classification: 'phi', gpu: { count: 1 } }, { tee: 'tdx' }),
      resolveManifestOptions({ ...BASE, credentials: { kind: 'api-key-secret', secretName: 'agent-key' } }),
    );
    expect(built.manifest.spec?.template.spec?.runtimeClassName).toBe('kata-qemu-nvidia-gpu-tdx');
    const pod = built.manifest.spec?.template.spec;
    const env = pod?.containers[0]?.env ?? [];
    // The key is a file from the Secret (not an environment variable the job could inherit).
    expect(env.filter((e) => e.valueFrom?.secretKeyRef !== undefined)).toEqual([]);
    expect(env).toContainEqual({ name: 'PHIGUARD_AGENT_API_KEY_FILE', value: '/phiguard/credentials/api-key' });
    expect(pod?.volumes?.filter((v) => v.secret !== undefined)).toEqual([
      { name: 'agent-key', secret: { secretName: 'agent-key', defaultMode: 0o440, optional: false, items: [{ key: 'api-key', path: 'api-key' }] } },
    ]);
    expect(pod?.containers[0]?.volumeMounts).toContainEqual({ name: 'agent-key', mountPath: '/phiguard/credentials', readOnly: true });
    expectValidJob(built.manifest);
  });

  it('refuses PHI without a confidential runtime class, and builds it only under the dev flag, loudly', () => {
    const plain = resolveManifestOptions({ ...BASE, runtimeClasses: [STANDARD_GPU_RUNTIME, { name: 'kata-qemu-nvidia-gpu', tee: 'none', gpu: 'plain' }] });
    const job = request({ classification: 'phi', gpu: { count: 1 } });
    expect(() => buildJobManifest(job, plain)).toThrow(expect.objectContaining({ code: 'not-confidential' }) as Error);
    const warnings: string[] = [];
    const dev = resolveManifestOptions({ ...BASE, agentImage: 'agent:dev', runtimeClasses: [STANDARD_GPU_RUNTIME], devInsecure: true, warn: (m) => warnings.push(m) });
    const built = buildJobManifest(job, dev);
    expect(built.insecure).toBe(true);
    expect(built.manifest.metadata?.annotations?.['phiguard.io/insecure-dev']).toBe('true');
    expect(warnings).toEqual([expect.stringContaining('INSECURE')]);
    const env = built.manifest.spec?.template.spec?.containers[0]?.env ?? [];
    expect(env).toEqual(expect.arrayContaining([{ name: 'PHIGUARD_AGENT_COLLECTOR', value: 'insecure-local' }, { name: 'PHIGUARD_AGENT_DEV_INSECURE_LOCAL', value: '1' }]));
    expect(built.manifest.spec?.template.spec?.runtimeClassName).toBeUndefined();
    expectValidJob(built.manifest);
  });

  it('refuses a PHI GPU job on a confidential CPU-only class (GPU outside the TEE)', () => {
    const cpuOnly: RuntimeClassProfile = { name: 'kata-qemu-snp', tee: 'sev-snp', gpu: 'plain' };
    expect(() => buildJobManifest(request({ classification: 'phi', gpu: { count: 1 } }), resolveManifestOptions({ ...BASE, runtimeClasses: [cpuOnly] }))).toThrow(
      expect.objectContaining({ code: 'not-confidential' }) as Error,
    );
  });

  it('typed errors naming the place for bad options and specs', () => {
    const bad = (options: Partial<JobManifestOptions>, field: string): void => {
      try {
        resolveManifestOptions({ ...BASE, ...options });
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(ComputeError);
        expect((error as ComputeError).place?.field).toBe(field);
      }
    };
    bad({ namespace: 'Bad_NS' }, 'namespace');
    bad({ serverUrl: 'http://plain.example' }, 'serverUrl');
    bad({ memory: '32 gigs' }, 'memory');
    bad({ runtimeClasses: [{ name: 'kata-qemu-coco-dev', tee: 'sev-snp', gpu: 'cc' }] }, 'runtimeClasses[0].tee');
    bad({ credentials: { kind: 'projected-token', audience: 'x', expirationSeconds: 60 } }, 'credentials.expirationSeconds');
    const options = resolveManifestOptions(BASE);
    expect(() => buildJobManifest(request({ classification: 'phi' }), resolveManifestOptions({ ...BASE, agentImage: 'agent:latest' }))).toThrow(
      expect.objectContaining({ code: 'invalid-input', place: { field: 'agentImage' } }) as Error,
    );
    expect(() => buildJobManifest(request({ classification: 'none', gpu: { count: 1, models: ['h100', 'tpu-v9'] } }), options)).toThrow(
      expect.objectContaining({ place: { path: '$.gpu.models', index: 1 } }) as Error,
    );
    expect(() => buildJobManifest(request({ classification: 'secret' }), options)).toThrow(expect.objectContaining({ place: { path: '$.classification' } }) as Error);
  });
});

// Label and annotation values PHIGuard may write: ids, small numbers, enumerations, a SHA-256.
const ALLOWED_META = /^(job_[0-9a-hjkmnp-tv-z]{26}|\d{1,3}|phi|deidentified|none|sev-snp|tdx|true|phiguard|phiguard-agent|job|[0-9a-f]{64})$/;

describe('no spec value reaches the cluster un-hashed (property)', () => {
  const marker = fc.string({ minLength: 4, maxLength: 24, unit: fc.constantFrom(...'A B C D E F G H J K L M N P Q R S T U V W X Y Z _ - . 0 1 2 3 4 5 6 7 8 9'.split(' ')) }).map((s) => `Zq${s}`);
  // A run spec (dispatch/run-spec.ts) whose free-text fields carry markers, plus fields it does not know.
  const spec = fc.record({
    classification: fc.constantFrom('phi', 'deidentified', 'none'),
    gpu: fc.record({ count: fc.integer({ min: 0, max: 8 }) }),
    command: fc.array(marker, { minLength: 1, maxLength: 3 }),
    env: fc.dictionary(marker, marker, { maxKeys: 3 }),
    input: fc.record({ dataset: marker }),
    output: fc.record({ dataset: marker }),
    image: marker,
    extra: fc.array(fc.record({ note: marker }), { maxLength: 2 }),
  });

  it('free-text fields never appear; labels and annotations hold only ids, codes and the spec hash', () => {
    const options = resolveManifestOptions(BASE);
    fc.assert(
      fc.property(spec, fc.integer({ min: 1, max: 999 }), (s, attempt) => {
        const built = buildJobManifest(request(s, { attempt }), options);
        const text = JSON.stringify(built.manifest);
        const markers = [...s.command, ...Object.entries(s.env).flat(), s.input.dataset, s.output.dataset, s.image, ...s.extra.map((e) => e.note)];
        for (const m of markers) expect(text).not.toContain(m);
        const meta = [built.manifest.metadata, built.manifest.spec?.template.metadata];
        for (const m of meta) for (const value of [...Object.values(m?.labels ?? {}), ...Object.values(m?.annotations ?? {})]) expect(value).toMatch(ALLOWED_META);
      }),
      { numRuns: 200 },
    );
  });

  it('PHI with any set of non-confidential runtime classes is always refused without the dev flag', () => {
    const profile: fc.Arbitrary<RuntimeClassProfile> = fc.oneof(
      fc.record({ tee: fc.constant('none' as const), gpu: fc.constantFrom('none' as const, 'plain' as const, 'cc' as const), name: fc.constantFrom('runc', 'kata-qemu', 'kata-qemu-nvidia-gpu', 'gvisor') }),
      fc.record({ tee: fc.constantFrom('sev-snp' as const, 'tdx' as const), gpu: fc.constant('plain' as const), name: fc.constantFrom('kata-qemu-snp', 'kata-qemu-tdx') }),
      fc.constant(STANDARD_GPU_RUNTIME),
    );
    fc.assert(
      fc.property(fc.array(profile, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 8 }), (profiles, gpus) => {
        const options = resolveManifestOptions({ ...BASE, runtimeClasses: profiles });
        expect(() => buildJobManifest(request({ classification: 'phi', gpu: { count: gpus } }), options)).toThrow(
          expect.objectContaining({ code: 'not-confidential' }) as Error,
        );
      }),
      { numRuns: 200 },
    );
  });
});
