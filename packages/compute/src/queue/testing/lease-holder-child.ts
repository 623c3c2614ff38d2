// A lost agent for the kill -9 test: leases one job, says so on stdout, then heartbeats until killed.
// argv: pglite DATA_DIR LEASE_MS | postgres URL SCHEMA LEASE_MS
import { systemClock } from '@phiguard/core';
import { openComputeDatabase } from '../../providers/compute-database.ts';
import { SqlJobQueue } from '../sql-job-queue.ts';

const [kind, a, b, c] = process.argv.slice(2);
const db =
  kind === 'pglite' ? await openComputeDatabase({ kind: 'pglite', dataDir: a ?? '' }) : await openComputeDatabase({ kind: 'postgres', url: a ?? '', schema: b ?? '' });
const leaseMs = Number(kind === 'pglite' ? b : c);
const queue = new SqlJobQueue(db, systemClock);
const lease = await queue.lease({ owner: 'agent-child', leaseMs });
if (lease === undefined) {
  process.stdout.write('none\n');
  process.exit(2);
}
process.stdout.write(`leased ${lease.jobId} ${lease.token}\n`);
setInterval(() => void queue.heartbeat(lease.jobId, lease.token, leaseMs), Math.max(10, Math.floor(leaseMs / 3)));
