import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { PolicyEngine, readPolicyFolder, validatePolicies, type PolicyRequest, type PolicySource } from '@phiguard/access';
import type { AccessServices } from '../http/access-services.ts';
import { ApiError } from '../http/api-error.ts';
import { authenticate } from '../http/authenticate.ts';
import { requireAllowed } from './admin-routes.ts';

const Text = Type.String({ maxLength: 256 * 1024 });
const Source = Type.Object({ schema: Type.Optional(Text), policies: Type.Record(Type.String({ maxLength: 256 }), Text, { maxProperties: 256 }) }, { additionalProperties: false });
const Validate = Type.Object({ source: Source }, { additionalProperties: false });
const Test = Type.Object({
  source: Type.Optional(Source),
  // Shape checked by the Cedar engine itself (unknown entities and attributes are refused there).
  requests: Type.Array(Type.Object({ principal: Type.Object({}, { additionalProperties: true }), action: Type.String({ maxLength: 64 }) }, { additionalProperties: true }), { maxItems: 10_000 }),
}, { additionalProperties: false });

/**
 * `phiguard policy validate|test FILE --server URL`: posted Cedar policies are validated against
 * the posted (or the server's) schema; test cases run against posted policies or the server's
 * own, live ones. Reviewing policies is an audit function: `audit.read`.
 */
export function registerPolicyRoutes(app: FastifyInstance, access: AccessServices): void {
  let shipped: PolicyEngine | undefined;
  let shippedSchema: string | undefined;
  const allow = async (request: Parameters<typeof authenticate>[0]): Promise<void> => {
    const caller = await authenticate(request, access);
    await requireAllowed(access, caller, 'audit.read', { type: 'AuditLog', id: 'policies' }, request.id);
  };
  const withSchema = (source: Static<typeof Source>): PolicySource => ({ schema: source.schema ?? (shippedSchema ??= readPolicyFolder().schema), policies: source.policies });

  app.post('/v1/policy/validate', { schema: { tags: ['policy'], summary: 'Validate posted Cedar policies strictly against a schema (default: the server\'s) (audit.read).', body: Validate } }, async (request) => {
    await allow(request);
    const source = withSchema((request.body as Static<typeof Validate>).source);
    return { policies: Object.keys(source.policies).length, problems: validatePolicies(source) };
  });

  app.post('/v1/policy/test', { schema: { tags: ['policy'], summary: 'Decide test requests with posted policies or the server\'s own (audit.read).', body: Test } }, async (request) => {
    await allow(request);
    const body = request.body as Static<typeof Test>;
    let engine: PolicyEngine;
    if (body.source === undefined) engine = shipped ??= new PolicyEngine();
    else {
      const source = withSchema(body.source);
      const problems = validatePolicies(source);
      if (problems.length > 0) throw new ApiError('invalid-argument', 'the posted policies do not validate against the schema', { place: { field: 'source' } });
      engine = new PolicyEngine(source, { memoize: false });
    }
    return body.requests.map((r) => {
      const d = engine.evaluate(r as unknown as PolicyRequest);
      return { allowed: d.allowed, policyIds: d.policyIds };
    });
  });
}
