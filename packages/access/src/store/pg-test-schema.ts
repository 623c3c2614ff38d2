import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The PostgreSQL server the integration tests use (trust auth; `.ci/run` provides it). */
export const TEST_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** A random schema name for one test file; {@link dropTestSchema} removes it. */
export function randomTestSchema(prefix = 'access_test'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

export async function dropTestSchema(schema: string, url = TEST_PG_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}
