import Fastify, { type FastifyInstance } from 'fastify';

/** What the HTTP layer needs from the rest of the system. Grows as stages are wired in. */
export interface ServerDeps {
  /** True when every dependency (database, ledger) is ready to take requests. */
  readonly isReady: () => Promise<boolean>;
  readonly version: string;
}

/**
 * Builds the Fastify application without listening, so tests can `inject` requests.
 * Logging is off here; the composition root passes a redacting logger when it wants one.
 */
export function buildServer(deps: ServerDeps): FastifyInstance {
  const app = Fastify({ logger: false, requestIdHeader: 'x-request-id' });
  app.get('/healthz', () => ({ status: 'ok', version: deps.version }));
  app.get('/readyz', async (_request, reply) => {
    const ready = await deps.isReady();
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not-ready' });
  });
  return app;
}
