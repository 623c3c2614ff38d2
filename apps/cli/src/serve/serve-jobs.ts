import type { AuditRecorder } from '@phiguard/audit';
import type { JobDispatcher } from '@phiguard/compute';
import { isBaseError, type PhiguardConfig } from '@phiguard/core';
import { openServeJobs } from '../commands/compute.ts';
import type { OpenedRemoteServices } from '../remote/serve-remote.ts';
import { startKubernetesDispatch, type ServedKubernetesDispatch } from './kubernetes-dispatch.ts';

/** Job dispatch as `phiguard serve` runs it: there from the start, or from the moment the keystore opens. */
export interface ServedJobs {
  /** The dispatcher for the jobs, nodes and agent routes (undefined: they answer 503 not-configured). */
  readonly jobs: () => JobDispatcher | undefined;
  /** Banner lines: job dispatch and, when configured, the Kubernetes dispatch. */
  notes(): readonly string[];
  close(): Promise<void>;
}

const WAITING = 'jobs: not served yet (needs the keystore open, as datasets do; served from the moment it opens)';

/**
 * Opens job dispatch (and the Kubernetes dispatch when `compute.kubernetes.enabled`) over the
 * server's keystore and vault: at once when they are open, otherwise when a custodian opens them
 * while the server runs, so no restart is needed. A failure then is logged by code and leaves the
 * routes answering 503; it never fails the keystore change that triggered it.
 */
export async function serveJobs(config: PhiguardConfig, env: Readonly<Record<string, string | undefined>>, remote: OpenedRemoteServices, ledger: AuditRecorder, log: (line: string) => void): Promise<ServedJobs> {
  let opened: Awaited<ReturnType<typeof openServeJobs>>;
  let k8s: ServedKubernetesDispatch | undefined;
  let closed = false;
  const open = async (): Promise<void> => {
    const jobs = await openServeJobs(config, env, remote.services, ledger, log);
    if (jobs === undefined) return;
    if (closed) {
      await jobs.close();
      return;
    }
    opened = jobs;
    k8s = await startKubernetesDispatch(config, jobs.queue, ledger, log);
  };
  const notes = (): string[] => {
    if (opened === undefined) return [WAITING];
    const lines = [opened.note];
    if (k8s !== undefined) lines.push(k8s.note);
    else if (config.compute?.kubernetes?.enabled === true) lines.push('kubernetes: not started (jobs are not served)');
    return lines;
  };
  let atStart = true;
  await remote.whenKeyed(async () => {
    if (atStart) {
      // At start a bad attestation file or database stops `serve`, as before.
      await open();
      return;
    }
    try {
      await open();
      for (const line of notes()) log(line);
    } catch (error) {
      log(`jobs: could not start after the keystore opened (${isBaseError(error) ? error.code : 'error'}); restart the server to retry`);
    }
  });
  atStart = false;
  return {
    jobs: () => opened?.jobs,
    notes,
    close: async () => {
      closed = true;
      await k8s?.stop();
      await opened?.close();
    },
  };
}
