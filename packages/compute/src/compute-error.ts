import { BaseError } from '@phiguard/core';

/** Every way a structure read by `@phiguard/compute` can be malformed. Messages name places, never values. */
export const COMPUTE_ERROR_CODES = [
  'der-malformed',
  'evidence-malformed',
  'collateral-malformed',
  // Catalog, placement and queue (compute-core).
  'invalid-input',
  'not-found',
  'conflict',
  // Kubernetes backend: a PHI job without a confidential runtime class; an API server refusal.
  'not-confidential',
  'kubernetes-api',
] as const;
export type ComputeErrorCode = (typeof COMPUTE_ERROR_CODES)[number];

/** A malformed DER, report, quote or collateral structure. Verifiers turn it into a refusal reason. */
export class ComputeError extends BaseError<ComputeErrorCode> {}
