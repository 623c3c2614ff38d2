import fc from 'fast-check';
import fhirpath from 'fhirpath';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from './element-tree.ts';
import { R4_MODEL } from './fhir-model.ts';
import { compileWhere, splitWhere } from './where-predicate.ts';

// The oracle: the `fhirpath` package evaluating `where(P)` on the element (non-empty = passes).
function oracle(predicate: string, base: string): (value: JsonObject) => boolean {
  const fn = fhirpath.compile({ base, expression: `where(${predicate})` }, R4_MODEL, { resolveInternalTypes: false, async: false });
  return (value) => (fn(value) as unknown[]).length > 0;
}

function compile(predicate: string, base: string): ((value: JsonObject) => boolean) | undefined {
  const fallback = fhirpath.compile({ base, expression: `where(${predicate})` }, R4_MODEL, { resolveInternalTypes: false, async: false });
  const where = compileWhere(predicate, base, (d) => fallback(d) as unknown[]);
  return where === undefined ? undefined : (value) => where.test(value);
}

describe('where(...) predicates without the fhirpath package', () => {
  it('splits a leading where(...) from what follows, quotes and nested parentheses included', () => {
    expect(splitWhere("where(city='KeepTest')")).toEqual({ predicate: "city='KeepTest'", rest: '' });
    expect(splitWhere('where(id.exists()).id')).toEqual({ predicate: 'id.exists()', rest: 'id' });
    expect(splitWhere("where(city='a)b').line")).toEqual({ predicate: "city='a)b'", rest: 'line' });
    expect(splitWhere('where(id.exists())id')).toBeUndefined();
    expect(splitWhere('name.where(x)')).toBeUndefined();
    expect(splitWhere("where(city='a\\'b')")).toBeUndefined();
  });

  it('compiles only the simple forms over single-valued, non-choice R4 elements', () => {
    expect(compile("city='KeepTest'", 'Address')).toBeDefined();
    expect(compile('id.exists()', 'Device')).toBeDefined();
    expect(compile('period.start.exists()', 'Address')).toBeDefined();
    expect(compile("city~'KeepTest'", 'Address')).toBeUndefined();
    expect(compile("$this='x'", 'Address')).toBeUndefined();
    expect(compile("line='x'", 'Address')).toBeUndefined(); // repeating
    expect(compile('value.exists()', 'Observation')).toBeUndefined(); // choice
    expect(compile("nope='x'", 'Address')).toBeUndefined();
    expect(compile('city=1', 'Address')).toBeUndefined(); // a number against a string element
    expect(compile("active='true'", 'Patient')).toBeUndefined();
    expect(compile("period.start='2020-01-01'", 'Address')).toBeUndefined(); // a dateTime: FHIRPath compares dates, not text
  });

  const scalar = fc.oneof(fc.constantFrom('KeepTest', 'keeptest', 'KeepTest ', '', 'Boston', 'home'), fc.integer({ min: 0, max: 3 }), fc.boolean(), fc.constant(null));
  const value = fc.oneof(scalar, scalar, fc.array(scalar, { maxLength: 2 }), fc.record({ start: fc.oneof(scalar, fc.constant('2020-01-01')) }, { requiredKeys: [] }));
  const keys = ['city', '_city', 'use', 'cityString', 'state', 'period', '_period', 'id', 'active', 'multipleBirthInteger', 'multipleBirthBoolean'];
  const element = fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: 4 });

  it('property: every compiled form gives what fhirpath gives, on well-formed and malformed data', () => {
    const cases: readonly (readonly [string, string])[] = [
      ["city='KeepTest'", 'Address'], ['city.exists()', 'Address'], ['period.start.exists()', 'Address'], ["use='home'", 'Address'],
      ['id.exists()', 'Device'], ['active=true', 'Patient'], ['active.exists()', 'Patient'], ['period.exists()', 'Address'],
    ];
    const compiled = cases.map(([p, b]) => ({ p, fast: compile(p, b), slow: oracle(p, b) }));
    for (const c of compiled) expect(c.fast, c.p).toBeDefined();
    fc.assert(
      fc.property(element, (obj) => {
        for (const c of compiled) expect(c.fast?.(structuredClone(obj)), `${c.p} on ${JSON.stringify(obj)}`).toBe(c.slow(structuredClone(obj)));
      }),
      { numRuns: 1500 },
    );
  });
});
