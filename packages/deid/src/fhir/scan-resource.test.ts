import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type JsonObject, isJsonObject } from './element-tree.ts';
import { removeUnknownExtensions } from './fhir-extensions.ts';
import { scanResource } from './scan-resource.ts';

// The two walks scanResource replaces: extension removal, then the resource's dates (as the
// de-identifier collected them before: `^\d{4}-\d{2}-\d{2}` prefixes, first occurrence first,
// not entering nested resources).
function referenceDates(resource: JsonObject): string[] {
  const out = new Set<string>();
  const walk = (v: unknown, top: boolean): void => {
    if (typeof v === 'string') {
      const m = /^\d{4}-\d{2}-\d{2}/.exec(v);
      if (m !== null) out.add(m[0]);
    } else if (Array.isArray(v)) {
      for (const x of v) walk(x, false);
    } else if (isJsonObject(v) && (top || typeof v.resourceType !== 'string')) {
      for (const x of Object.values(v)) walk(x, false);
    }
  };
  walk(resource, true);
  return [...out];
}

const KEPT = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex';
const scalar = fc.constantFrom('2019-03-04', '2019-03-04T10:00:00Z', '1950-05-04', '2019-3-4', 'x2019-03-04', '20190304', 'Smith', 7, true, null);
const extension = fc.record({ url: fc.constantFrom(KEPT, 'http://example.org/unknown', 5), valueDateTime: scalar }, { requiredKeys: [] });
const tree: fc.Arbitrary<unknown> = fc.letrec<{ obj: Record<string, unknown>; val: unknown }>((tie) => ({
  obj: fc.dictionary(fc.constantFrom('a', 'b', 'extension', 'modifierExtension', 'contained', 'resourceType', 'birthDate'), tie('val'), { maxKeys: 4 }),
  val: fc.oneof({ depthSize: 'small' }, scalar, tie('obj'), fc.array(fc.oneof(scalar, tie('obj'), extension), { maxLength: 3 }), fc.array(extension, { maxLength: 3 })),
})).obj;

describe('scanResource (one walk: unknown extensions out, dates collected)', () => {
  it('property: same removals, modifier paths and dates as removeUnknownExtensions followed by the date walk', () => {
    fc.assert(
      fc.property(tree, fc.boolean(), (body, remove) => {
        const resource = { resourceType: 'Patient', ...(body as JsonObject) };
        const a = structuredClone(resource);
        const b = structuredClone(resource);
        const scan = scanResource(a, remove);
        const removal = remove ? removeUnknownExtensions(b) : { removed: 0, modifierPaths: [] };
        expect(a).toEqual(b);
        expect(scan.removed).toBe(removal.removed);
        expect(scan.modifierPaths).toEqual(removal.modifierPaths);
        expect(scan.dates).toEqual(referenceDates(b));
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps a kept extension whole and does not enter nested resources', () => {
    const r: JsonObject = {
      resourceType: 'Patient',
      birthDate: '1950-05-04',
      extension: [{ url: KEPT, extension: [{ url: 'http://example.org/inner', valueDate: '2001-01-01' }] }, { url: 'http://example.org/gone', valueDate: '2002-02-02' }],
      contained: [{ resourceType: 'Organization', extension: [{ url: 'http://example.org/x' }], date: '2003-03-03' }],
      contact: [{ modifierExtension: [{ url: 'http://example.org/m' }] }],
    };
    const scan = scanResource(r, true);
    expect(scan.removed).toBe(2);
    expect(scan.modifierPaths).toEqual(['contact[0].modifierExtension']);
    expect(scan.dates).toEqual(['1950-05-04', '2001-01-01']);
    expect((r.contained as JsonObject[])[0]?.extension).toHaveLength(1);
  });
});
