import { LedgerError } from '../ledger/ledger-error.ts';
import type { AppendBatch, EntryHit, EntryQuery, LedgerStore, StoredCheckpoint, StoredVerifierKey } from './ledger-store.ts';
import { LEDGER_CONFLICT_SQLSTATE, LEDGER_LOCK_KEY, LEDGER_MIGRATIONS, MIGRATIONS_TABLE } from './ledger-migrations.ts';
import { packBatch } from './pack-batch.ts';
import { joinTilePieces, tilePieces } from './tile-pieces.ts';
import type { SqlDriver, SqlQuery } from './sql-driver.ts';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 10_000;
const MAX_READ = 65_536;
const APPEND_SQL = 'SELECT ledger_append_pieces($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)';
const APPEND_NAME = 'phiguard_ledger_append_pieces';

/**
 * The {@link LedgerStore} over any {@link SqlDriver}: the same SQL on PGlite and PostgreSQL.
 * Runs the migrations when opened.
 */
export async function openSqlLedgerStore(driver: SqlDriver): Promise<LedgerStore> {
  await migrate(driver);
  return new SqlLedgerStore(driver);
}

async function migrate(driver: SqlDriver): Promise<void> {
  await driver.transaction(async (q) => {
    await q('SELECT pg_advisory_xact_lock($1)', [LEDGER_LOCK_KEY]);
    await q(MIGRATIONS_TABLE);
    const rows = await q<{ version: number | string }>('SELECT version FROM ledger_schema_migrations');
    const applied = new Set(rows.map((r) => Number(r.version)));
    for (const [i, statements] of LEDGER_MIGRATIONS.entries()) {
      if (applied.has(i + 1)) continue;
      for (const statement of statements) await q(statement);
      await q('INSERT INTO ledger_schema_migrations (version) VALUES ($1)', [i + 1]);
    }
  });
}

class SqlLedgerStore implements LedgerStore {
  readonly #db: SqlDriver;
  #closed = false;
  /**
   * Two batches in flight: the next one is prepared, signed and queued while the previous one
   * commits, and goes to the database the moment it finished (appends run in call order).
   */
  readonly appendConcurrency = 2;
  /** Settles when the latest append settled: appends run one after another, in call order. */
  #appendTail: Promise<unknown> = Promise.resolve();

  constructor(driver: SqlDriver) {
    this.#db = driver;
  }

  #q(): SqlQuery {
    if (this.#closed) throw new LedgerError('closed', 'the ledger store is closed');
    return this.#db.query;
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    const rows = await this.#q()<{ size: string | number; note: string }>(
      'SELECT size, note FROM ledger_checkpoints ORDER BY size DESC LIMIT 1',
    );
    const row = rows[0];
    return row === undefined ? undefined : Object.freeze({ size: Number(row.size), note: row.note });
  }

  async readCheckpoint(): Promise<string> {
    const latest = await this.latestCheckpoint();
    if (latest === undefined) throw new LedgerError('not-found', 'the ledger has no checkpoint yet', { place: { path: 'ledger_checkpoints' } });
    return latest.note;
  }

  /** A tile from its pieces (migration 5; `tile-pieces.ts`). */
  async getTile(level: number, index: number): Promise<Buffer | undefined> {
    const rows = await this.#q()<{ start: number; hashes: Uint8Array }>('SELECT start, hashes FROM ledger_tiles WHERE level = $1 AND idx = $2 ORDER BY start', [level, index]);
    return joinTilePieces(rows.map((r) => ({ start: r.start, hashes: toBuffer(r.hashes) })));
  }

  /**
   * Leaves `from .. from+count-1` in order. Over damaged storage (a deleted row) it returns the
   * rows it finds, so the verifier names the first index whose leaf does not match its tile
   * (TileLogReader contract).
   */
  async readEntries(from: number, count: number): Promise<readonly Buffer[]> {
    if (!Number.isSafeInteger(from) || from < 0 || !Number.isSafeInteger(count) || count < 0 || count > MAX_READ) {
      throw new TypeError(`readEntries needs 0 <= from and 0 <= count <= ${MAX_READ}`);
    }
    if (count === 0) return [];
    const rows = await this.#q()<{ leaf: Uint8Array }>('SELECT leaf FROM ledger_entries WHERE idx >= $1 AND idx < $2 ORDER BY idx', [from, from + count]);
    return rows.map((r) => toBuffer(r.leaf));
  }

  async getEntry(index: number): Promise<Buffer | undefined> {
    const rows = await this.#q()<{ leaf: Uint8Array }>('SELECT leaf FROM ledger_entries WHERE idx = $1', [index]);
    const row = rows[0];
    return row === undefined ? undefined : toBuffer(row.leaf);
  }

  async append(batch: AppendBatch): Promise<void> {
    if (this.#closed) throw new LedgerError('closed', 'the ledger store is closed');
    const { fromSize, entries, tiles, checkpoint } = batch;
    if (checkpoint.size !== fromSize + entries.length || entries.some((e, i) => e.index !== fromSize + i)) {
      throw new TypeError('append batch: entries must run from fromSize to checkpoint.size - 1');
    }
    // Only the hashes each tile gained, and whole tiles once full (migration 5).
    const pieces = tilePieces(fromSize, tiles);
    const packed = packBatch({ entries, tiles: pieces });
    // In call order, one at a time: a pool could otherwise run batch N+1 before batch N, which
    // the size check would refuse. The next batch waits here, ready, while this one commits.
    const previous = this.#appendTail;
    const { promise: done, resolve: finish } = Promise.withResolvers<undefined>();
    this.#appendTail = done;
    try {
      await previous;
      // One statement, so one round trip and one implicit transaction (ledger-migrations.ts,
      // ledger_append_pieces). Integer arrays travel as array literals built by one join
      // (node-postgres would escape and quote each element).
      const args: (number | string | Buffer)[] = [
        fromSize,
        packed.leaves,
        intArray(packed.leafOffsets),
        packed.actorIds,
        packed.actions,
        packed.times,
        packed.resourceKeys,
        intArray(pieces.map((t) => t.level)),
        intArray(pieces.map((t) => t.index)),
        intArray(pieces.map((t) => t.start)),
        packed.tiles,
        intArray(packed.tileOffsets),
        checkpoint.size,
        checkpoint.note,
      ];
      if (this.#db.runPrepared !== undefined) {
        // PostgreSQL: prepared once on the writer's own connection, the leaves as one binary parameter.
        await this.#db.runPrepared(APPEND_NAME, APPEND_SQL, args.map(textOrBytes));
      } else if (this.#db.simple === undefined) {
        await this.#db.query(APPEND_SQL, args, APPEND_NAME);
      } else {
        // PGlite: one simple-protocol statement with literals costs one call into the engine.
        await this.#db.simple(`SELECT ledger_append_pieces(${args.map(sqlLiteral).join(', ')})`);
      }
    } catch (error) {
      if ((error as { code?: unknown }).code === LEDGER_CONFLICT_SQLSTATE) {
        throw new LedgerError('conflict', 'the log grew under this writer; batch refused', { place: { index: fromSize } });
      }
      if (error instanceof LedgerError) throw error;
      throw new LedgerError('storage', 'the ledger store could not commit the batch', { cause: error, place: { index: fromSize } });
    } finally {
      finish(undefined);
    }
  }

  async search(query: EntryQuery): Promise<readonly EntryHit[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: (p: string) => string, value: unknown): void => {
      params.push(value);
      where.push(clause(`$${params.length}`));
    };
    if (query.actorId !== undefined) add((p) => `actor_id = ${p}`, query.actorId);
    if (query.action !== undefined) add((p) => `action = ${p}`, query.action);
    if (query.resourceType !== undefined || query.resourceId !== undefined) {
      const key =
        query.resourceId === undefined ? `t|${query.resourceType ?? ''}` : query.resourceType === undefined ? `i|${query.resourceId}` : `r|${query.resourceType}|${query.resourceId}`;
      add((p) => `resources @> ARRAY[${p}::text]`, key);
    }
    if (query.from !== undefined) add((p) => `at >= ${p}::timestamptz`, query.from);
    if (query.to !== undefined) add((p) => `at < ${p}::timestamptz`, query.to);
    if (query.after !== undefined) add((p) => `idx > ${p}`, query.after);
    const limit = Math.min(Math.max(1, Math.trunc(query.limit ?? DEFAULT_LIMIT)), MAX_LIMIT);
    params.push(limit);
    const sql = `SELECT idx, leaf FROM ledger_entries ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY idx LIMIT $${params.length}`;
    const rows = await this.#q()<{ idx: string | number; leaf: Uint8Array }>(sql, params);
    return Object.freeze(rows.map((r) => Object.freeze({ index: Number(r.idx), leaf: toBuffer(r.leaf) })));
  }

  async addVerifierKey(verifierKey: string): Promise<void> {
    await this.#q()('INSERT INTO ledger_verifier_keys (verifier_key) VALUES ($1) ON CONFLICT DO NOTHING', [verifierKey]);
  }

  async verifierKeys(): Promise<readonly StoredVerifierKey[]> {
    const rows = await this.#q()<{ verifier_key: string; added_at: Date | string }>(
      'SELECT verifier_key, added_at FROM ledger_verifier_keys ORDER BY added_at, verifier_key',
    );
    return rows.map((r) => Object.freeze({ verifierKey: r.verifier_key, addedAt: new Date(r.added_at).toISOString() }));
  }

  async getCursor(sinkId: string): Promise<number> {
    const rows = await this.#q()<{ next_index: string | number }>('SELECT next_index FROM ledger_sink_cursors WHERE sink_id = $1', [sinkId]);
    return rows[0] === undefined ? 0 : Number(rows[0].next_index);
  }

  async setCursor(sinkId: string, nextIndex: number): Promise<void> {
    if (!Number.isSafeInteger(nextIndex) || nextIndex < 0) throw new TypeError('a sink cursor is a non-negative integer');
    await this.#q()(
      'INSERT INTO ledger_sink_cursors (sink_id, next_index) VALUES ($1, $2) ON CONFLICT (sink_id) DO UPDATE SET next_index = EXCLUDED.next_index',
      [sinkId, nextIndex],
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // An append already sent settles first: ending its connection now would report a batch
    // that may have committed as failed.
    await this.#appendTail;
    await this.#db.close();
  }
}

/**
 * A SQL literal of an append argument: a safe integer as digits, bytes as `decode('<hex>',
 * 'hex')`, text as an escape string (PostgreSQL 15 §4.1.2.2: backslash and quote escaped, so the
 * value reads the same whatever standard_conforming_strings says).
 */
function sqlLiteral(value: number | string | Buffer): string {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError('append: integers must be safe integers');
    return String(value);
  }
  if (Buffer.isBuffer(value)) return `decode('${value.toString('hex')}', 'hex')`;
  return `E'${value.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

/** A bound parameter in text format (integers as their digits) or, for bytes, binary format. */
function textOrBytes(value: number | string | Buffer): string | Buffer {
  return typeof value === 'number' ? String(value) : value;
}

/** A PostgreSQL array literal of safe integers (PostgreSQL 15 §8.15.2), e.g. `{0,312,640}`. */
function intArray(values: readonly number[]): string {
  return `{${values.join(',')}}`;
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
