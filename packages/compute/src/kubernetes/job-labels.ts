import { createHash } from 'node:crypto';
import { canonicalJson, isId } from '@phiguard/core';

/** Label keys PHIGuard puts on its Kubernetes Jobs and their pods. Values are ids, codes and numbers only. */
export const LABEL_JOB_ID = 'phiguard.io/job-id';
export const LABEL_ATTEMPT = 'phiguard.io/attempt';
export const LABEL_CLASSIFICATION = 'phiguard.io/classification';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const ANNOTATION_SPEC_SHA256 = 'phiguard.io/spec-sha256';
export const ANNOTATION_TEE = 'phiguard.io/runtime-tee';
export const ANNOTATION_INSECURE = 'phiguard.io/insecure-dev';
export const MANAGED_BY = 'phiguard';

/** Selects every Job (and pod) this backend made, whatever the job. */
export const MANAGED_SELECTOR = `${LABEL_MANAGED_BY}=${MANAGED_BY}`;

// Kubernetes label value syntax (apimachinery validation.IsValidLabelValue) and a DNS-1123 label for names.
export const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * `phiguard-job-<26 chars>-a<attempt>`: at most 46 characters, so the pod names and the
 * `batch.kubernetes.io/job-name` label the Job controller derives from it stay within 63.
 */
export function kubernetesJobName(jobId: string, attempt: number): string {
  if (!isId('job', jobId)) throw new TypeError('kubernetesJobName needs a job id (job_…)');
  if (!Number.isInteger(attempt) || attempt < 1 || attempt > 999) throw new TypeError('attempt must be an integer 1..999');
  return `phiguard-${jobId.replace('_', '-')}-a${String(attempt)}`;
}

/**
 * SHA-256 of the job spec's canonical JSON (RFC 8785 style, `@phiguard/core`): lets an operator
 * match a Kubernetes Job to its PHIGuard job without putting any spec value in the cluster.
 */
export function specDigest(spec: unknown): string {
  return createHash('sha256').update(canonicalJson(spec)).digest('hex');
}

/** A label selector that finds every attempt of one job. */
export function jobSelector(jobId: string): string {
  if (!isId('job', jobId)) throw new TypeError('jobSelector needs a job id (job_…)');
  return `${MANAGED_SELECTOR},${LABEL_JOB_ID}=${jobId}`;
}
