import type { ServerOptions as HttpsServerOptions } from 'node:https';
import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { pino, type DestinationStream } from 'pino';
import type { FailureLimit } from '@phiguard/access';
import type { AccessServices, DatasetCatalog } from './http/access-services.ts';
import { sendProblem } from './http/problem.ts';
import { registerAdminRoutes } from './routes/admin-routes.ts';
import { registerAuthRoutes } from './routes/auth-routes.ts';
import { registerDataRoutes } from './routes/data-routes.ts';
import { registerJobsRoutes } from './routes/jobs-routes.ts';
import { registerLinkageRoutes, type LinkageOpener } from './routes/linkage-routes.ts';
import type { JobsSource } from './routes/jobs-source.ts';
import type { RemoteServices } from './http/remote-services.ts';
import { registerRemoteRoutes } from './routes/remote-routes.ts';
import { registerLoginPages } from './web/login-pages.ts';

/** What the HTTP layer needs from the rest of the system. Grows as stages are wired in. */
export interface ServerDeps {
  /** True when every dependency (database, ledger) is ready to take requests. */
  readonly isReady: () => Promise<boolean>;
  readonly version: string;
  /** Identities, sessions, tokens and Cedar authorization; without it only health routes exist. */
  readonly access?: AccessServices;
  readonly datasets?: DatasetCatalog;
  /**
   * Job dispatch to GPU node agents (jobs, nodes and agent routes); needs `access`. A function: the
   * routes answer 503 `not-configured` while it gives undefined (jobs-source.ts).
   */
  readonly jobs?: JobsSource;
  /** Ledger, keystore and vault for the remote-command routes (`phiguard … --server URL`). */
  readonly remote?: RemoteServices;
  /** The linkage vault for the re-identification routes (linkage-routes.ts); absent: they answer 503. */
  readonly linkage?: LinkageOpener;
  /** HTTPS options (TLS 1.3 minimum, see tls-options.ts). Omitted only for `inject` tests. */
  readonly https?: HttpsServerOptions;
  /** Where pino writes JSON logs; omitted: no logging. */
  readonly logStream?: DestinationStream;
  /** Runs on close after in-flight requests finish (flush the ledger, close stores). */
  readonly onClose?: () => Promise<void>;
  /** Failed logins/codes allowed per client address per window (default 30 per minute). */
  readonly authFailureLimit?: FailureLimit;
  /** `off` only for the benchmark's baseline: the dataset route skips authentication and Cedar. */
  readonly authorization?: 'on' | 'off';
}

/** Paths pino must never print (credentials); bodies and query strings are never logged at all. */
export const REDACT_PATHS = ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]', 'res.headers["set-cookie"]'];

/**
 * Builds the Fastify application without listening, so tests can `inject` requests. With `https`
 * it serves TLS only; HSTS on every answer; errors as RFC 9457 problem+json with a stable code and
 * the request id; logs (when a stream is given) with request ids and routes, never bodies.
 */
export function buildServer(deps: ServerDeps): FastifyInstance {
  const logger = deps.logStream === undefined ? undefined : pino({
    level: 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      // Route pattern, not the URL: ids only, never a query string someone put PHI in.
      req: (req: { method?: string; routeOptions?: { url?: string }; id?: string }) => ({ method: req.method, route: req.routeOptions?.url ?? 'unmatched', id: req.id }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
  }, deps.logStream);
  const app = Fastify({
    ...(logger === undefined ? { logger: false } : { loggerInstance: logger }),
    ...(deps.https === undefined ? {} : { https: deps.https }),
    requestIdHeader: 'x-request-id',
    // Only a client's UUID is taken as request id (the audit schema accepts it); others get a fresh one.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(given) ? given : crypto.randomUUID();
    },
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
  }) as unknown as FastifyInstance;

  app.setErrorHandler((error, request, reply) => sendProblem(error, request, reply));
  app.setNotFoundHandler((request, reply) => reply.code(404).type('application/problem+json').send({ type: 'https://phiguard.dev/problems/not-found', title: 'no such route', status: 404, code: 'no-route', requestId: request.id }));
  app.addHook('onSend', async (request, reply) => {
    // RFC 6797 HSTS: browsers keep to HTTPS for two years.
    reply.header('strict-transport-security', 'max-age=63072000; includeSubDomains');
    reply.header('x-request-id', request.id);
    reply.header('cache-control', 'no-store');
    reply.header('x-content-type-options', 'nosniff');
  });
  if (deps.onClose !== undefined) {
    const onClose = deps.onClose;
    app.addHook('onClose', async () => onClose());
  }

  void app.register(swagger, { openapi: { info: { title: 'PHIGuard API', version: deps.version }, components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } }, security: [{ bearer: [] }] } });
  void app.register(swaggerUi, { routePrefix: '/docs' });
  void app.register((scope, _options, done) => {
    scope.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
    scope.get('/healthz', { schema: { hide: true } }, () => ({ status: 'ok', version: deps.version }));
    scope.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
      const ready = await deps.isReady();
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not-ready' });
    });
    if (deps.access !== undefined) {
      registerAuthRoutes(scope, deps.access, deps.authFailureLimit);
      registerLoginPages(scope, deps.access.webauthn?.relyingParty.origin);
      registerAdminRoutes(scope, deps.access);
      registerDataRoutes(scope, deps.access, deps.datasets, deps.authorization ?? 'on');
      if (deps.jobs !== undefined) registerJobsRoutes(scope, deps.access, deps.jobs);
      registerRemoteRoutes(scope, deps.access, deps.remote ?? {});
      registerLinkageRoutes(scope, deps.access, deps.linkage);
    }
    done();
  });
  return app;
}
