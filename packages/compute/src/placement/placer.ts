import type { AuditRecorder } from '@phiguard/audit';
import type { Clock } from '@phiguard/core';
import type { ComputeCatalog } from '../providers/compute-catalog.ts';
import type { ComputePolicy, JobFacts } from './compute-policy.ts';
import { planPlacement, type PlacementPlan, type PlanOptions } from './plan-placement.ts';

export interface PlacerOptions {
  readonly catalog: ComputeCatalog;
  readonly policy: ComputePolicy;
  readonly audit: AuditRecorder;
  readonly clock: Clock;
  readonly attestationMaxAgeMs?: number;
  readonly priceList?: Readonly<Record<string, number>>;
}

/**
 * Places jobs on the cheapest qualifying node of the catalog and records every decision as a
 * `job.place` ledger event (HIPAA §164.312(b)): the node chosen or `no-qualifying-node`, with the
 * policy hash and counts. The plan is returned only after the event is durable.
 */
export class Placer {
  readonly #o: PlacerOptions;

  constructor(options: PlacerOptions) {
    this.#o = options;
  }

  async place(job: JobFacts): Promise<PlacementPlan> {
    const [nodes, providers] = await Promise.all([this.#o.catalog.listNodes(), this.#o.catalog.listProviders()]);
    const options: PlanOptions = {
      now: this.#o.clock.now(),
      ...(this.#o.attestationMaxAgeMs === undefined ? {} : { attestationMaxAgeMs: this.#o.attestationMaxAgeMs }),
      ...(this.#o.priceList === undefined ? {} : { priceList: this.#o.priceList }),
    };
    const plan = planPlacement(job, nodes, providers, this.#o.policy, options);
    const chosen = plan.chosen;
    await this.#o.audit.record({
      actor: { kind: 'system', id: 'placement' },
      action: 'job.place',
      outcome: chosen === undefined ? 'failure' : 'success',
      ...(chosen === undefined ? { reason: 'no-qualifying-node' } : {}),
      resources: [{ type: 'job', id: job.id }, ...(chosen === undefined ? [] : [{ type: 'node', id: chosen.nodeId }])],
      details: {
        classification: job.classification,
        gpuCount: job.gpuCount,
        nodeCount: plan.candidates.length,
        qualifyingCount: plan.candidates.filter((c) => c.qualifies).length,
        policyHash: plan.policyHash,
        ...(chosen?.pricePerHourUsd === undefined ? {} : { priceMicroUsdPerHour: Math.round(chosen.pricePerHourUsd * 1e6) }),
      },
    });
    return plan;
  }
}
