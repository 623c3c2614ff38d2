import type { AppendBatch, StoredEntry } from './ledger-store.ts';

/**
 * The parameters of `ledger_append_packed` (ledger-migrations.ts): the leaves and the tile hashes
 * each as ONE binary buffer with offsets (node-postgres sends a Buffer as a binary parameter; an
 * array of them would travel as hex text), and the text columns each as one newline-joined text.
 * `offsets` have one more element than items: item i is `bytes[offsets[i] .. offsets[i+1])`.
 */
export interface PackedBatch {
  readonly leaves: Buffer;
  readonly leafOffsets: readonly number[];
  readonly actorIds: string;
  readonly actions: string;
  readonly times: string;
  /** Per entry its search keys joined by a tab; entries joined by a newline. */
  readonly resourceKeys: string;
  readonly tiles: Buffer;
  readonly tileOffsets: readonly number[];
}

// The closed event schema keeps white space out of ids, actions, resource types and ids; a value
// holding a separator would shift every later column, so it is a programming error.
const SEPARATOR = /[\n\t|]/;

/** Packs a batch for `ledger_append_packed`; throws a TypeError for a value that holds a separator. */
export function packBatch(batch: Pick<AppendBatch, 'entries' | 'tiles'>): PackedBatch {
  const { entries, tiles } = batch;
  const leafOffsets: number[] = [0];
  const actorIds: string[] = [];
  const actions: string[] = [];
  const times: string[] = [];
  const keys: string[] = [];
  let total = 0;
  for (const e of entries) {
    total += e.leaf.length;
    leafOffsets.push(total);
    if (SEPARATOR.test(e.actorId) || SEPARATOR.test(e.action) || SEPARATOR.test(e.time)) {
      throw new TypeError('actor ids, actions and times must not contain a newline, tab or |');
    }
    actorIds.push(e.actorId);
    actions.push(e.action);
    times.push(e.time);
    keys.push(resourceKeys(e.resources).join('\t'));
  }
  const tileOffsets: number[] = [0];
  let tileTotal = 0;
  for (const t of tiles) {
    tileTotal += t.hashes.length;
    tileOffsets.push(tileTotal);
  }
  return {
    leaves: Buffer.concat(entries.map((e) => e.leaf), total),
    leafOffsets,
    actorIds: actorIds.join('\n'),
    actions: actions.join('\n'),
    times: times.join('\n'),
    resourceKeys: keys.join('\n'),
    tiles: Buffer.concat(tiles.map((t) => t.hashes), tileTotal),
    tileOffsets,
  };
}

/**
 * Search keys of an entry's resources: `r|type|id`, `t|type` and `i|id`. The closed event
 * schema keeps `|` and white space out of types and ids; anything else is a programming error.
 */
export function resourceKeys(resources: StoredEntry['resources']): string[] {
  if (resources.length === 1) {
    // The common case: one resource, three distinct keys.
    const { type, id } = resources[0] as StoredEntry['resources'][number];
    if (SEPARATOR.test(type) || SEPARATOR.test(id)) throw new TypeError('resource type and id must not contain |, a tab or a newline');
    return [`r|${type}|${id}`, `t|${type}`, `i|${id}`];
  }
  const keys = new Set<string>();
  for (const { type, id } of resources) {
    if (SEPARATOR.test(type) || SEPARATOR.test(id)) throw new TypeError('resource type and id must not contain |, a tab or a newline');
    keys.add(`r|${type}|${id}`);
    keys.add(`t|${type}`);
    keys.add(`i|${id}`);
  }
  return [...keys];
}
