import type { FastifyInstance } from 'fastify';
import type { AccessServices } from '../http/access-services.ts';
import type { RemoteServices } from '../http/remote-services.ts';
import { registerAuditRoutes } from './audit-routes.ts';
import { FILES_MEDIA_TYPE, registerDatasetRoutes } from './dataset-routes.ts';
import { registerDeidRoutes } from './deid-routes.ts';
import { registerKeyRoutes } from './key-routes.ts';
import { registerPolicyRoutes } from './policy-routes.ts';

/**
 * The routes behind `phiguard <command> --server URL` (audit, keys, datasets, deid, policy), in their own scope:
 * streamed bodies are left unparsed there (the route reads `request.raw` piece by piece), so the
 * 1 MiB JSON body limit does not apply to them and memory stays constant.
 */
export function registerRemoteRoutes(app: FastifyInstance, access: AccessServices, remote: RemoteServices): void {
  void app.register((scope, _options, done) => {
    scope.addContentTypeParser([FILES_MEDIA_TYPE, 'application/octet-stream'], (_request, _payload, parsed) => {
      parsed(null, undefined);
    });
    registerAuditRoutes(scope, access, remote);
    registerKeyRoutes(scope, access, remote);
    registerDatasetRoutes(scope, access, remote);
    registerDeidRoutes(scope, access, remote);
    registerPolicyRoutes(scope, access);
    done();
  });
}
