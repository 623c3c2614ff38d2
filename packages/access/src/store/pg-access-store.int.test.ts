import { expect, it } from 'vitest';
import { describeAccessStoreContract } from './access-store.contract.ts';
import { openPostgresAccessStore } from './open-access-store.ts';
import { dropTestSchema, randomTestSchema, TEST_PG_URL } from '@phiguard/audit';

const schema = randomTestSchema('access_test');

describeAccessStoreContract('PostgreSQL', { open: () => openPostgresAccessStore({ url: TEST_PG_URL, schema }), cleanup: () => dropTestSchema(schema) });

it('runs the migrations once when two stores open the same schema at once', async () => {
  const other = randomTestSchema('access_test');
  try {
    const [a, b] = await Promise.all([openPostgresAccessStore({ url: TEST_PG_URL, schema: other }), openPostgresAccessStore({ url: TEST_PG_URL, schema: other })]);
    expect(await a.listUsers()).toEqual([]);
    await Promise.all([a.close(), b.close()]);
  } finally {
    await dropTestSchema(other);
  }
});
