import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pruneEmpty } from './element-tree.ts';

// The reference form (before the fast paths): fresh arrays everywhere, companions looked up for every property.
function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === '') return true;
  if (Array.isArray(value)) return value.every(isEmpty);
  if (isObject(value)) return Object.keys(value).length === 0;
  return false;
}
function referencePrune(value: unknown): unknown {
  if (Array.isArray(value)) {
    const kept = value.map(referencePrune).filter((v) => v !== undefined);
    return kept.length === 0 ? undefined : kept;
  }
  if (!isObject(value)) return isEmpty(value) ? undefined : value;
  for (const prop of Object.keys(value)) {
    if (prop.startsWith('_')) continue;
    const v = value[prop];
    const c = value[`_${prop}`];
    if (Array.isArray(v) && Array.isArray(c)) {
      const vs: unknown[] = [];
      const cs: unknown[] = [];
      for (let i = 0; i < Math.max(v.length, c.length); i++) {
        const a = referencePrune(v[i]);
        const b = referencePrune(c[i]);
        if (a === undefined && b === undefined) continue;
        vs.push(a ?? null);
        cs.push(b ?? null);
      }
      if (vs.every((x) => x === null)) Reflect.deleteProperty(value, prop);
      else value[prop] = vs;
      if (cs.every((x) => x === null)) Reflect.deleteProperty(value, `_${prop}`);
      else value[`_${prop}`] = cs;
      continue;
    }
    const pruned = referencePrune(v);
    if (pruned === undefined) Reflect.deleteProperty(value, prop);
    else value[prop] = pruned;
  }
  for (const prop of Object.keys(value)) {
    if (!prop.startsWith('_') || Array.isArray(value[prop.slice(1)])) continue;
    const pruned = referencePrune(value[prop]);
    if (pruned === undefined) Reflect.deleteProperty(value, prop);
    else value[prop] = pruned;
  }
  return Object.keys(value).length === 0 ? undefined : value;
}

// FHIR-like JSON with the values de-identification leaves behind: nulls, '', {}, [], `_name` companions.
const { json } = fc.letrec((tie) => ({
  json: fc.oneof({ depthSize: 'small' }, fc.constantFrom(null, undefined, '', 'x', 0, true), fc.array(tie('json'), { maxLength: 4 }), tie('object')),
  object: fc.dictionary(fc.constantFrom('a', 'b', 'given', '_a', '_b', '_given', 'c'), tie('json'), { maxKeys: 5 }),
}));

describe('pruneEmpty', () => {
  it('gives the same JSON as the reference on random trees with nulls, empties and companions', () => {
    fc.assert(
      fc.property(json, (value) => {
        const copy = structuredClone(value);
        const out = pruneEmpty(value);
        expect(JSON.stringify(out)).toBe(JSON.stringify(referencePrune(copy)));
        // The object passed in is pruned in place (callers hold it); inner objects may be copies.
        if (isObject(value) && out !== undefined) expect(out).toBe(value);
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps an untouched array and removes emptied companions', () => {
    const coding = [{ code: '1' }];
    const r = { code: { coding }, name: [{ given: ['A', 'B'], _given: [null, null] }, { text: '' }] };
    expect(pruneEmpty(r)).toEqual({ code: { coding: [{ code: '1' }] }, name: [{ given: ['A', 'B'] }] });
    expect(r.code.coding).toBe(coding);
  });
});
