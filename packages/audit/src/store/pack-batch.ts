import type { StoredEntry } from './ledger-store.ts';
import type { TilePiece } from './tile-pieces.ts';

/**
 * The parameters of `ledger_append_pieces` (ledger-migrations.ts): the leaves and the tile hashes
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
// Checked once per packed column instead of once per value: a column joined by newlines holds
// no tab or | and exactly (values - 1) newlines iff no value holds a separator.
const TAB_OR_BAR = /[\t|]/;

/** Packs a batch for `ledger_append_pieces`; throws a TypeError for a value that holds a separator. */
export function packBatch(batch: { readonly entries: readonly StoredEntry[]; readonly tiles: readonly Pick<TilePiece, 'hashes'>[] }): PackedBatch {
  const { entries, tiles } = batch;
  const count = entries.length;
  const leafOffsets: number[] = new Array<number>(count + 1);
  const leaves: Buffer[] = new Array<Buffer>(count);
  leafOffsets[0] = 0;
  let total = 0;
  let actorIds = '';
  let actions = '';
  let times = '';
  let keys = '';
  for (let i = 0; i < count; i++) {
    const e = entries[i] as StoredEntry;
    leaves[i] = e.leaf;
    total += e.leaf.length;
    leafOffsets[i + 1] = total;
    const nl = i === 0 ? '' : '\n';
    actorIds += nl + e.actorId;
    actions += nl + e.action;
    times += nl + e.time;
    keys += nl + entryKeys(e.resources);
  }
  if (count > 0 && (!cleanColumn(actorIds, count) || !cleanColumn(actions, count) || !cleanColumn(times, count))) {
    throw new TypeError('actor ids, actions and times must not contain a newline, tab or |');
  }
  const tileOffsets: number[] = [0];
  let tileTotal = 0;
  for (const t of tiles) {
    tileTotal += t.hashes.length;
    tileOffsets.push(tileTotal);
  }
  return {
    leaves: Buffer.concat(leaves, total),
    leafOffsets,
    actorIds,
    actions,
    times,
    resourceKeys: keys,
    tiles: Buffer.concat(tiles.map((t) => t.hashes), tileTotal),
    tileOffsets,
  };
}

/** True when a newline-joined column of `count` values holds no tab or | and exactly count - 1 newlines. */
function cleanColumn(column: string, count: number): boolean {
  if (TAB_OR_BAR.test(column)) return false;
  let newlines = 0;
  for (let at = column.indexOf('\n'); at !== -1; at = column.indexOf('\n', at + 1)) newlines += 1;
  return newlines === count - 1;
}

/** {@link resourceKeys} of an entry joined by tabs, without the array for the common single resource. */
function entryKeys(resources: StoredEntry['resources']): string {
  if (resources.length !== 1) return resourceKeys(resources).join('\t');
  const { type, id } = resources[0] as StoredEntry['resources'][number];
  if (SEPARATOR.test(type) || SEPARATOR.test(id)) throw new TypeError('resource type and id must not contain |, a tab or a newline');
  return `r|${type}|${id}\tt|${type}\ti|${id}`;
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
