import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { AccessError } from '@phiguard/access';
import { AGENT_STEPS, type QueuedJob } from '@phiguard/compute';
import type { AccessServices } from '../http/access-services.ts';
import { authenticate, purposeOf } from '../http/authenticate.ts';
import { requireAllowed } from './admin-routes.ts';
import { dispatcherOf, type JobsSource } from './jobs-source.ts';
import { authenticateAgent, registerNodesRoutes, sendComputeProblem } from './nodes-routes.ts';

const IdPattern = '^[a-z]{2,8}_[0-9a-hjkmnp-tv-z]{26}$';
const Id = Type.Object({ id: Type.String({ pattern: IdPattern }) });
const Token = Type.String({ pattern: '^[A-Za-z0-9_-]{16,64}$' });
const B64 = (max: number) => Type.String({ pattern: '^[A-Za-z0-9+/]*={0,2}$', maxLength: max });
const WithToken = Type.Object({ token: Token }, { additionalProperties: false });
const Evidence = Type.Object({ kind: Type.String({ pattern: '^[a-z][a-z0-9-]{0,31}$' }) }, { additionalProperties: true });
/** `gpuEvidence`: NVIDIA `{kind: 'nvidia-gpu', report: base64 SPDM GET_MEASUREMENTS response, certChain: PEM}` (docs/compute/agent.md). */
const Release = Type.Object({ token: Token, nonce: B64(128), publicKey: B64(64), evidence: Evidence, gpuEvidence: Type.Optional(Evidence) }, { additionalProperties: false });
const LogChunk = Type.Object({ token: Token, text: Type.String({ maxLength: 256 * 1024 }) }, { additionalProperties: false });
const Step = Type.Object({
  token: Token, step: Type.Union(AGENT_STEPS.map((s) => Type.Literal(s))),
  details: Type.Optional(Type.Record(Type.String({ pattern: '^[a-z][a-zA-Z0-9_]{0,47}$' }), Type.Union([Type.Integer(), Type.Boolean(), Type.String({ pattern: '^[a-z][a-z0-9:._-]{0,63}$' })]), { maxProperties: 16 })),
}, { additionalProperties: false });
const Complete = Type.Object({ token: Token, exitCode: Type.Integer({ minimum: -1, maximum: 255 }) }, { additionalProperties: false });
const Fail = Type.Object({ token: Token, reason: Type.String({ pattern: '^[a-z][a-z0-9.-]{0,63}$' }), retry: Type.Boolean() }, { additionalProperties: false });
const Input = Type.Object({ id: Type.String({ pattern: IdPattern }), index: Type.Integer({ minimum: 0, maximum: 1_000_000 }) });
const Output = Type.Object({ id: Type.String({ pattern: IdPattern }), name: Type.String({ pattern: '^[A-Za-z0-9_-]{1,1400}$' }) });
const LeaseHeader = Type.Object({ 'x-lease-token': Token });
const Pull = Type.Object({ jobId: Type.Optional(Type.String({ pattern: '^job_[0-9a-hjkmnp-tv-z]{26}$' })) }, { additionalProperties: false });

const bytes = (b64: string): Uint8Array => new Uint8Array(Buffer.from(b64, 'base64'));

/** A job as users see it: state and references, never data. */
function view(job: QueuedJob): Record<string, unknown> {
  return {
    id: job.id, state: job.state, attempts: job.attempts, maxAttempts: job.maxAttempts, timeoutMs: job.timeoutMs, node: job.leaseOwner ?? null,
    reason: job.reason ?? null, result: job.result ?? null, spec: job.spec, createdAt: new Date(job.createdMs).toISOString(), updatedAt: new Date(job.updatedMs).toISOString(),
  };
}

/**
 * Jobs (issue 8): users submit, watch, read logs and cancel (Cedar: `job.run` on the input dataset
 * with a purpose of use; `job.read`, `job.cancel`); agents, with their service account's token,
 * pull a lease, get keys released to verified evidence, fetch sealed inputs, heartbeat, send
 * logs (redacted and flagged on arrival), report steps, upload sealed outputs, and complete or
 * fail under the lease's fencing token. Registers the node routes too, in one encapsulated scope
 * with its own error mapping.
 */
export function registerJobsRoutes(parent: FastifyInstance, access: AccessServices, source: JobsSource): void {
  // Resolved per request: 503 not-configured until serve has opened job dispatch (jobs-source.ts).
  const jobs = dispatcherOf(source);
  void parent.register((app, _options, done) => {
    app.setErrorHandler(sendComputeProblem);
    app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: 256 * 1024 * 1024 }, (_request, body, next) => {
      next(null, body);
    });
    registerNodesRoutes(app, access, jobs);

    app.post('/v1/jobs', { schema: { tags: ['jobs'], summary: 'Submit a job (run spec JSON). Needs X-Purpose-Of-Use.' } }, async (request, reply) => {
      const caller = await authenticate(request, access);
      const body = request.body as { input?: { dataset?: unknown } } | null;
      const dataset = typeof body?.input?.dataset === 'string' ? body.input.dataset : 'unknown';
      await requireAllowed(access, caller, 'job.run', { type: 'Dataset', id: dataset }, request.id, { purpose: purposeOf(request) });
      return reply.code(201).send(view(await jobs().submit(caller.principal.id, request.body)));
    });

    const readable = async (request: Parameters<typeof authenticate>[0], action: 'job.read' | 'job.cancel'): Promise<QueuedJob> => {
      const caller = await authenticate(request, access);
      const { id } = request.params as Static<typeof Id>;
      await requireAllowed(access, caller, action, { type: 'Job', id }, request.id);
      const job = await jobs().get(id);
      if (job === undefined) throw new AccessError('not-found', 'no such job', { place: { field: 'id' } });
      return job;
    };
    app.get('/v1/jobs/:id', { schema: { tags: ['jobs'], summary: 'A job\'s state and result.', params: Id } }, async (request) => view(await readable(request, 'job.read')));
    app.get('/v1/jobs/:id/logs', { schema: { tags: ['jobs'], summary: 'A job\'s logs (identifiers already redacted).', params: Id } }, async (request) => {
      const job = await readable(request, 'job.read');
      return (await jobs().logs(job.id)).map((c) => ({ seq: c.seq, attempt: c.attempt, text: c.text, flagged: c.flagged, at: new Date(c.createdMs).toISOString() }));
    });
    app.post('/v1/jobs/:id/cancel', { schema: { tags: ['jobs'], summary: 'Cancel; a running agent stops at its next heartbeat and wipes its workspace.', params: Id } }, async (request) => {
      const job = await readable(request, 'job.cancel');
      return { id: job.id, outcome: await jobs().cancel(job.id) };
    });

    // Agent routes: service-account credentials bound to a node; every job call carries the lease token.
    app.post('/v1/agent/jobs/pull', { schema: { tags: ['agent'], summary: 'Lease the next job, or the one named (204 when none).', body: Pull } }, async (request, reply) => {
      const agent = await authenticateAgent(request, access, jobs);
      const lease = await jobs().pull(agent, (request.body as Static<typeof Pull>).jobId);
      return lease === undefined ? reply.code(204).send() : lease;
    });
    app.post('/v1/agent/jobs/:id/release', { schema: { tags: ['agent'], summary: 'Present evidence; get the input keys HPKE-sealed to the bound key (403 with the refusal reason).', params: Id, body: Release } }, async (request, reply) => {
      const agent = await authenticateAgent(request, access, jobs);
      const { id } = request.params as Static<typeof Id>;
      const body = request.body as Static<typeof Release>;
      const publicKey = bytes(body.publicKey);
      const nonce = bytes(body.nonce);
      if (publicKey.length !== 32 || nonce.length < 16) throw new AccessError('forbidden', 'publicKey must be 32 bytes and nonce the challenge', { place: { field: publicKey.length !== 32 ? 'publicKey' : 'nonce' } });
      const outcome = await jobs().release(agent, id, body.token, { nonce, publicKey, evidence: body.evidence, ...(body.gpuEvidence === undefined ? {} : { gpuEvidence: body.gpuEvidence }) });
      if (!outcome.ok) return reply.code(403).type('application/problem+json').send({ type: 'https://phiguard.dev/problems/key-release-refused', title: 'key release refused', status: 403, code: 'key-release-refused', reason: outcome.reason, evidenceHash: outcome.evidenceHash, requestId: request.id });
      return outcome;
    });
    app.get('/v1/agent/jobs/:id/inputs/:index', { schema: { tags: ['agent'], summary: 'One sealed input blob (opens only with the released keys).', params: Input, headers: LeaseHeader } }, async (request, reply) => {
      const agent = await authenticateAgent(request, access, jobs);
      const { id, index } = request.params as Static<typeof Input>;
      const source = await jobs().input(agent, id, (request.headers as Static<typeof LeaseHeader>)['x-lease-token'], index);
      return reply.type('application/octet-stream').send(Readable.from(source));
    });
    app.post('/v1/agent/jobs/:id/heartbeat', { schema: { tags: ['agent'], summary: 'Extend the lease; answers ok, cancelled, timed-out or lost.', params: Id, body: WithToken } }, async (request) => {
      const agent = await authenticateAgent(request, access, jobs);
      const { id } = request.params as Static<typeof Id>;
      return { state: await jobs().heartbeat(agent, id, (request.body as Static<typeof WithToken>).token) };
    });
    app.post('/v1/agent/jobs/:id/logs', { schema: { tags: ['agent'], summary: 'Append log text (scanned: seeded identifiers redacted and flagged).', params: Id, body: LogChunk } }, async (request) => {
      const agent = await authenticateAgent(request, access, jobs);
      const { id } = request.params as Static<typeof Id>;
      const body = request.body as Static<typeof LogChunk>;
      return jobs().log(agent, id, body.token, body.text);
    });
    app.post('/v1/agent/jobs/:id/steps', { schema: { tags: ['agent'], summary: 'Report a step (ledgered as agent.STEP).', params: Id, body: Step } }, async (request, reply) => {
      const agent = await authenticateAgent(request, access, jobs);
      const { id } = request.params as Static<typeof Id>;
      const body = request.body as Static<typeof Step>;
      await jobs().step(agent, id, body.token, body.step, body.details ?? {});
      return reply.code(204).send();
    });
    app.put('/v1/agent/jobs/:id/outputs/:name', { schema: { tags: ['agent'], summary: 'Upload one sealed output (envelope; name base64url).', params: Output, headers: LeaseHeader } }, async (request, reply) => {
      const agent = await authenticateAgent(request, access, jobs);
      const { id, name } = request.params as Static<typeof Output>;
      if (!Buffer.isBuffer(request.body)) throw new AccessError('forbidden', 'outputs are application/octet-stream envelopes', { place: { field: 'content-type' } });
      await jobs().stageOutput(agent, id, (request.headers as Static<typeof LeaseHeader>)['x-lease-token'], Buffer.from(name, 'base64url').toString('utf8'), request.body);
      return reply.code(204).send();
    });
    app.post('/v1/agent/jobs/:id/complete', { schema: { tags: ['agent'], summary: 'Write the outputs as a dataset version and complete (fenced).', params: Id, body: Complete } }, async (request) => {
      const agent = await authenticateAgent(request, access, jobs);
      const { id } = request.params as Static<typeof Id>;
      const body = request.body as Static<typeof Complete>;
      return { outcome: await jobs().complete(agent, id, body.token, { exitCode: body.exitCode }) };
    });
    app.post('/v1/agent/jobs/:id/fail', { schema: { tags: ['agent'], summary: 'Fail the attempt (requeued when retry and attempts remain).', params: Id, body: Fail } }, async (request) => {
      const agent = await authenticateAgent(request, access, jobs);
      const { id } = request.params as Static<typeof Id>;
      const body = request.body as Static<typeof Fail>;
      return { outcome: await jobs().fail(agent, id, body.token, body.reason, body.retry) };
    });
    done();
  });
}
