// client-node's models are classes; the API hands plain JSON objects of their shape, as these are.
/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment */
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { observeJob, reasonCode } from './job-observation.ts';

const JOB_ID = 'job_01jz0000000000000000000000';
function job(status: V1Job['status'], extra: Partial<NonNullable<V1Job['metadata']>> = {}): V1Job {
  return { metadata: { name: 'phiguard-job-x-a1', labels: { 'phiguard.io/job-id': JOB_ID, 'phiguard.io/attempt': '3' }, ...extra }, ...(status === undefined ? {} : { status }) };
}
function pod(status: V1Pod['status']): V1Pod {
  return { metadata: { name: 'p' }, ...(status === undefined ? {} : { status }) };
}
const waiting = (reason: string): V1Pod =>
  pod({ phase: 'Pending', containerStatuses: [{ name: 'agent', image: 'i', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason, message: 'pull access denied for registry.example/secret-name' } } }] });

describe('observeJob', () => {
  it.each([
    ['no status yet', job(undefined), [], 'pending', 'created', 'queued'],
    ['image pull back-off', job({ active: 1 }), [waiting('ImagePullBackOff')], 'pending', 'image-pull-back-off', 'queued'],
    ['secret missing', job({ active: 1 }), [waiting('CreateContainerConfigError')], 'pending', 'create-container-config-error', 'queued'],
    ['suspended', job({ conditions: [{ type: 'Suspended', status: 'True', reason: 'JobSuspended' }] }), [], 'pending', 'suspended', 'queued'],
    ['ready pod', job({ active: 1, ready: 1 }), [], 'running', 'running', 'leased'],
    ['condition present but False', job({ conditions: [{ type: 'Failed', status: 'False' }], active: 1, ready: 1 }), [], 'running', 'running', 'leased'],
    ['evicted', job({ conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] }), [pod({ phase: 'Failed', reason: 'Evicted' })], 'failed', 'evicted', 'failed'],
    ['agent exit code', job({ conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] }),
      [pod({ phase: 'Failed', containerStatuses: [{ name: 'agent', image: 'i', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 3, reason: 'Error' } } }] })], 'failed', 'exit-3', 'failed'],
    ['deadline', job({ conditions: [{ type: 'Failed', status: 'True', reason: 'DeadlineExceeded' }] }), [], 'timed-out', 'deadline-exceeded', 'timed-out'],
    ['complete wins over deletion', job({ conditions: [{ type: 'Complete', status: 'True' }] }, { deletionTimestamp: new Date(0) }), [], 'succeeded', 'completed', 'succeeded'],
    ['deleted while running', job({ active: 1, ready: 1 }, { deletionTimestamp: new Date(0) }), [], 'deleted', 'deleted', 'cancelled'],
  ] as const)('%s', (_name, j, pods, phase, reason, state) => {
    expect(observeJob(j, pods)).toEqual({ jobId: JOB_ID, attempt: 3, name: 'phiguard-job-x-a1', phase, reason, state });
  });

  it('ignores objects that are not PHIGuard jobs', () => {
    expect(observeJob({ metadata: { name: 'other', labels: { app: 'x' } } })).toBeUndefined();
  });

  it('reason codes are lower-case codes whatever the cluster sends (no message text passes)', () => {
    expect(reasonCode('OOMKilled')).toBe('oom-killed');
    expect(reasonCode('BackoffLimitExceeded')).toBe('backoff-limit-exceeded');
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        const code = reasonCode(s);
        expect(code).toMatch(/^[a-z0-9-]+$/);
        if (/[^A-Za-z0-9]/.test(s)) expect(code).toBe('unknown');
      }),
    );
  });
});
