import type { JobDispatcher } from '@phiguard/compute';
import { ApiError } from '../http/api-error.ts';

/**
 * The job dispatcher, or a function that gives it once it exists: `phiguard serve` opens job
 * dispatch when the keystore opens, which may happen while the server runs (`keys init|recover
 * --server`), so the jobs, nodes and agent routes are registered from the start.
 */
export type JobsSource = JobDispatcher | (() => JobDispatcher | undefined);

/** A getter for the dispatcher that answers 503 `not-configured` while there is none yet. */
export function dispatcherOf(source: JobsSource): () => JobDispatcher {
  return () => {
    const jobs = typeof source === 'function' ? source() : source;
    if (jobs === undefined) throw new ApiError('not-configured', 'jobs are not served yet: the keystore is not open', { place: { field: 'keystore' } });
    return jobs;
  };
}
