import { TABLE_E1_1 } from '../tables/profile-table.ts';
import { SUPPLEMENTARY_ROWS } from './supplementary-rows.ts';
import type { BasicAction, ProfileOption, ProfileRow } from '../profile/profile-row.ts';
import { isPrivateTag, type Tag } from '../tag.ts';

/**
 * The action to apply, after options and compound actions are resolved (PS3.15 §E.1.1 Table
 * E.1-1 legend): D dummy, Z zero-length, X remove, K keep, C clean, U new UID, and `U*` (keep a
 * sequence of references and replace the UIDs inside, from X/Z/U*).
 */
export type ResolvedAction = 'D' | 'Z' | 'X' | 'K' | 'C' | 'U' | 'U*';

export interface ActionTable {
  /** The row for a tag, `undefined` when Table E.1-1 does not list it. */
  rowOf(t: Tag): ProfileRow | undefined;
  actionOf(t: Tag): { readonly action: ResolvedAction; readonly row: ProfileRow } | undefined;
}

/**
 * Compound actions keep the attribute present, which always conforms to the IOD: X/Z → Z
 * (attribute at most Type 2), X/D, X/Z/D, Z/D → D (may be Type 1), X/Z/U* → U*. This trades the
 * removal allowed for Type 3 attributes for validity without per-IOD module tables.
 */
function resolveCompound(a: BasicAction): ResolvedAction {
  switch (a) {
    case 'X/Z':
      return 'Z';
    case 'X/D':
    case 'X/Z/D':
    case 'Z/D':
      return 'D';
    case 'X/Z/U*':
      return 'U*';
    default:
      return a;
  }
}

/** Option columns override the Basic Profile action (PS3.15 §E.3); if two enabled options disagree, C (clean) wins over K. */
function applyOptions(row: ProfileRow, options: ReadonlySet<ProfileOption>): ResolvedAction {
  let chosen: 'K' | 'C' | undefined;
  for (const [option, action] of Object.entries(row.options ?? {}) as [ProfileOption, 'K' | 'C'][]) {
    if (!options.has(option)) continue;
    if (action === 'C' || chosen === undefined) chosen = action;
  }
  return chosen ?? resolveCompound(row.basic);
}

export function createActionTable(options: readonly ProfileOption[]): ActionTable {
  if (options.includes('retainLongitudinalFullDates') && options.includes('retainLongitudinalModifiedDates')) {
    throw new TypeError('Retain Longitudinal Temporal Information: choose Full Dates or Modified Dates, not both (PS3.15 §E.3.6)');
  }
  const enabled = new Set(options);
  const exact = new Map<number, ProfileRow>();
  let privateRow: ProfileRow | undefined;
  const masks: { mask: number; value: number; row: ProfileRow }[] = [];
  for (const row of [...TABLE_E1_1, ...SUPPLEMENTARY_ROWS]) {
    if (row.tag === 'GGGG,EEEE') {
      privateRow = row;
      continue;
    }
    const hex = row.tag.replace(',', '');
    if (hex.includes('X')) {
      masks.push({
        mask: Number.parseInt(hex.replace(/[0-9A-F]/g, 'F').replace(/X/g, '0'), 16) >>> 0,
        value: Number.parseInt(hex.replace(/X/g, '0'), 16) >>> 0,
        row,
      });
    } else exact.set(Number.parseInt(hex, 16) >>> 0, row);
  }
  const resolved = new Map<ProfileRow, { readonly action: ResolvedAction; readonly row: ProfileRow }>();
  const hitFor = (row: ProfileRow): { readonly action: ResolvedAction; readonly row: ProfileRow } => {
    let hit = resolved.get(row);
    if (hit === undefined) {
      hit = { action: applyOptions(row, enabled), row };
      resolved.set(row, hit);
    }
    return hit;
  };
  const rowOf = (t: Tag): ProfileRow | undefined => {
    const hit = exact.get(t);
    if (hit !== undefined) return hit;
    if (isPrivateTag(t)) return privateRow;
    for (const m of masks) if ((t & m.mask) >>> 0 === m.value) return m.row;
    return undefined;
  };
  // Compiled once per profile and options: tag → resolved action (or none), filled as tags are met.
  const NONE = null;
  const compiled = new Map<Tag, { readonly action: ResolvedAction; readonly row: ProfileRow } | typeof NONE>();
  for (const [t, row] of exact) compiled.set(t, hitFor(row));
  return {
    rowOf,
    actionOf(t) {
      const known = compiled.get(t);
      if (known !== undefined) return known ?? undefined;
      const row = rowOf(t);
      const hit = row === undefined ? NONE : hitFor(row);
      if (compiled.size < 100_000) compiled.set(t, hit);
      return hit ?? undefined;
    },
  };
}
