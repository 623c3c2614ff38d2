// The ledger's own PostgreSQL connection for appends (pg-writer-connection.ts): statements run in
// order, a server error leaves the connection in use, and a connection that broke is replaced.
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openPgWriterConnection, type PgWriterConnection } from './pg-writer-connection.ts';
import { dropTestSchema, randomTestSchema, TEST_PG_URL } from './pg-test-schema.ts';

const schema = randomTestSchema('writer_conn');
const admin = new pg.Client({ connectionString: TEST_PG_URL });
let writer: PgWriterConnection;
const INSERT = 'INSERT INTO writes (n, b, pid) VALUES ($1, $2, pg_backend_pid())';

beforeAll(async () => {
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.query(`CREATE TABLE ${schema}.writes (n integer PRIMARY KEY, b bytea NOT NULL, pid integer NOT NULL)`);
  writer = openPgWriterConnection({ connectionString: TEST_PG_URL, options: `-c search_path=${schema}` });
});

afterAll(async () => {
  await writer.close();
  await admin.end();
  await dropTestSchema(schema);
});

async function writes(): Promise<{ n: number; b: Buffer; pid: number }[]> {
  return (await admin.query<{ n: number; b: Buffer; pid: number }>(`SELECT n, b, pid FROM ${schema}.writes ORDER BY n`)).rows;
}

it('runs a prepared statement on one connection, and keeps it after a server error', async () => {
  await writer.run('writer_insert', INSERT, ['1', Buffer.from([1, 0, 255])]);
  await expect(writer.run('writer_insert', INSERT, ['1', Buffer.from([1, 0, 255])])).rejects.toMatchObject({ code: '23505' });
  await writer.run('writer_insert', INSERT, ['2', Buffer.from([2, 0, 255])]);
  const rows = await writes();
  expect(rows.map((r) => r.n)).toEqual([1, 2]);
  expect(rows[1]?.b).toEqual(Buffer.from([2, 0, 255]));
  expect(rows[0]?.pid).toBe(rows[1]?.pid);
});

it('reports a statement that does not parse, and parses it again under its name next time', async () => {
  await expect(writer.run('writer_bad', 'INSERT INTO nowhere VALUES ($1)', ['5'])).rejects.toMatchObject({ code: '42P01' });
  await writer.run('writer_insert', INSERT, ['5', Buffer.alloc(0)]);
  const rows = await writes();
  expect(rows.at(-1)).toMatchObject({ n: 5 });
  expect(rows.at(-1)?.pid).toBe(rows[0]?.pid);
});

it('opens a new connection after the old one was terminated', async () => {
  const before = (await writes())[0]?.pid;
  await admin.query('SELECT pg_terminate_backend($1)', [before]);
  // The broken connection fails the statement that meets it (or is noticed first); the next runs anew.
  await writer.run('writer_insert', INSERT, ['3', Buffer.from([3, 0, 255])]).catch(() => undefined);
  await writer.run('writer_insert', INSERT, ['4', Buffer.from([4, 0, 255])]);
  const fourth = (await writes()).find((r) => r.n === 4);
  expect(fourth?.pid).toBeDefined();
  expect(fourth?.pid).not.toBe(before);
});

it('refuses to run once closed', async () => {
  const other = openPgWriterConnection({ connectionString: TEST_PG_URL, options: `-c search_path=${schema}` });
  await other.run('writer_insert', INSERT, ['10', Buffer.from([10, 0, 255])]);
  await other.close();
  await expect(other.run('writer_insert', INSERT, ['11', Buffer.from([11, 0, 255])])).rejects.toThrow('closed');
  expect((await writes()).map((r) => r.n)).not.toContain(11);
});
