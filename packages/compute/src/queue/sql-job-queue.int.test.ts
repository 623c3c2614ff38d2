import { dropTestSchema, randomTestSchema, TEST_PG_URL } from '@phiguard/audit';
import { openComputeDatabase } from '../providers/compute-database.ts';
import { describeJobQueueContract } from './job-queue.contract.ts';

describeJobQueueContract('PostgreSQL', {
  async open() {
    const schema = randomTestSchema('compute_queue_test');
    // Several connections, so the concurrent-lease test really races (FOR UPDATE SKIP LOCKED).
    const db = await openComputeDatabase({ kind: 'postgres', url: TEST_PG_URL, schema, maxConnections: 8 });
    return {
      db,
      close: async () => {
        await db.close();
        await dropTestSchema(schema);
      },
    };
  },
  async crash() {
    const schema = randomTestSchema('compute_queue_test');
    const db = await openComputeDatabase({ kind: 'postgres', url: TEST_PG_URL, schema });
    return {
      db,
      closeBeforeChild: () => Promise.resolve(),
      childArgs: ['postgres', TEST_PG_URL, schema, '1000'],
      reopen: () => Promise.resolve(db),
      close: async () => {
        await db.close();
        await dropTestSchema(schema);
      },
    };
  },
});
