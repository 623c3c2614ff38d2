import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { AccessError } from '@phiguard/access';
import { isBaseError } from '@phiguard/core';
import { CPU_TEE_KINDS, GPU_CC_KINDS, type AgentCaller, type JobDispatcher } from '@phiguard/compute';
import type { AccessServices } from '../http/access-services.ts';
import { authenticate } from '../http/authenticate.ts';
import { sendProblem } from '../http/problem.ts';
import { requireAllowed } from './admin-routes.ts';

const IdPattern = '^[a-z]{2,8}_[0-9a-hjkmnp-tv-z]{26}$';
const Id = Type.Object({ id: Type.String({ pattern: IdPattern }) });
const Code = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,31}$' });
const NewNodeBody = Type.Object({
  name: Type.String({ pattern: '^[a-z][a-z0-9._-]{0,63}$' }), providerId: Type.String({ pattern: IdPattern }), region: Code,
  gpu: Type.Object({ model: Code, count: Type.Integer({ minimum: 0, maximum: 64 }), memoryGiB: Type.Integer({ minimum: 0, maximum: 4096 }) }, { additionalProperties: false }),
  memoryGiB: Type.Integer({ minimum: 1, maximum: 65536 }),
  cpuTee: Type.Array(Type.Union(CPU_TEE_KINDS.map((k) => Type.Literal(k))), { maxItems: 2, uniqueItems: true }),
  gpuCc: Type.Array(Type.Union(GPU_CC_KINDS.map((k) => Type.Literal(k))), { maxItems: 2, uniqueItems: true }),
  diskEncryption: Type.Boolean(), pricePerHourUsd: Type.Optional(Type.Number({ minimum: 0 })),
  serviceAccount: Type.String({ pattern: '^svc_[0-9a-hjkmnp-tv-z]{26}$' }),
}, { additionalProperties: false });
const Hello = Type.Object({ collector: Type.String({ pattern: '^[a-z][a-z0-9-]{0,31}$' }), version: Type.String({ pattern: '^[a-z][a-z0-9.-]{0,31}$' }) }, { additionalProperties: false });

/** HTTP status of the compute, vault and keys error codes the job routes can meet. */
const STATUS: Readonly<Record<string, number>> = { 'not-found': 404, conflict: 409, exists: 409, 'invalid-input': 422, 'invalid-name': 422, 'invalid-argument': 422, 'context-mismatch': 422, 'unwrap-failed': 422, 'frame-auth-failed': 422, truncated: 422, 'bad-magic': 422 };

/**
 * Error handler for the compute routes: compute/vault/keys errors become problem+json with their
 * code and place (never a value); everything else goes to the server's own handler.
 */
export async function sendComputeProblem(error: unknown, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (isBaseError(error) && !(error instanceof AccessError) && STATUS[error.code] !== undefined) {
    const status = STATUS[error.code] ?? 500;
    const field = error.place?.field;
    await reply.code(status).type('application/problem+json').send({ type: `https://phiguard.dev/problems/${error.code}`, title: error.message, status, code: error.code, requestId: request.id, ...(field === undefined ? {} : { field }) });
    return;
  }
  await sendProblem(error, request, reply);
}

/** The node the calling service account's agent speaks for (agents only; users are refused). */
export async function authenticateAgent(request: FastifyRequest, access: AccessServices, jobs: () => JobDispatcher): Promise<AgentCaller> {
  const caller = await authenticate(request, access);
  if (caller.principal.kind !== 'service') throw new AccessError('forbidden', 'agent routes take service-account credentials only', { place: { field: 'authorization' } });
  return jobs().agentFor(caller.principal.id);
}

/**
 * Nodes (issue 8): an administrator registers a node and binds it to the service account its
 * agent uses (`apikey.manage` on that account: binding hands the account the node's jobs);
 * anyone who may read jobs may list nodes. Agents say hello and fetch attestation challenges.
 */
export function registerNodesRoutes(app: FastifyInstance, access: AccessServices, jobs: () => JobDispatcher): void {
  app.post('/v1/nodes', { schema: { tags: ['nodes'], summary: 'Register a node and bind it to its agent\'s service account (admin).', body: NewNodeBody } }, async (request, reply) => {
    const caller = await authenticate(request, access);
    const body = request.body as Static<typeof NewNodeBody>;
    await requireAllowed(access, caller, 'apikey.manage', { type: 'ServiceAccount', id: body.serviceAccount }, request.id);
    const { serviceAccount, pricePerHourUsd, ...node } = body;
    const added = await jobs().registerNode(caller.principal.id, { ...node, ...(pricePerHourUsd === undefined ? {} : { pricePerHourUsd }) }, serviceAccount);
    return reply.code(201).send(added);
  });

  app.get('/v1/nodes', { schema: { tags: ['nodes'], summary: 'List nodes with their last verified attestation.' } }, async (request) => {
    const caller = await authenticate(request, access);
    await requireAllowed(access, caller, 'job.read', { type: 'Job', id: 'nodes' }, request.id);
    return jobs().nodes();
  });

  app.get('/v1/nodes/:id', { schema: { tags: ['nodes'], summary: 'One node.', params: Id } }, async (request) => {
    const caller = await authenticate(request, access);
    await requireAllowed(access, caller, 'job.read', { type: 'Job', id: 'nodes' }, request.id);
    const { id } = request.params as Static<typeof Id>;
    const node = await jobs().node(id);
    if (node === undefined) throw new AccessError('not-found', 'no such node', { place: { field: 'id' } });
    return node;
  });

  app.post('/v1/agent/register', { schema: { tags: ['agent'], summary: 'Agent start-up: which node this service account runs (ledgered).', body: Hello } }, async (request) => {
    const agent = await authenticateAgent(request, access, jobs);
    const node = await jobs().hello(agent, request.body as Static<typeof Hello>);
    return { nodeId: node.id, name: node.name };
  });

  app.post('/v1/agent/challenge', { schema: { tags: ['agent'], summary: 'A fresh nonce to bind into attestation evidence (one use, short-lived).' } }, async (request) => {
    await authenticateAgent(request, access, jobs);
    return { nonce: Buffer.from(await jobs().challenge()).toString('base64') };
  });
}
