import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { AccessServices } from '../http/access-services.ts';
import { ApiError } from '../http/api-error.ts';
import { authenticate, purposeOf } from '../http/authenticate.ts';
import type { DeidService, RemoteServices } from '../http/remote-services.ts';
import { requireAllowed } from './admin-routes.ts';

/** A de-identified file on the wire: one JSON line (records, counts, problems, size), then the output bytes. */
export const DEID_MEDIA_TYPE = 'application/vnd.phiguard.deid';
/** Largest input file (the format engines work on whole files; memory is bounded by this). */
export const MAX_DEID_FILE_BYTES = 256 * 2 ** 20;

const Profile = Type.Object({ name: Type.String({ pattern: '^[a-z][a-z-]{0,63}$' }) });
const Format = Type.Object({ format: Type.String({ pattern: '^[a-z0-9]{2,16}$' }) });
const Query = Type.Object({ profile: Type.String({ pattern: '^[a-z][a-z-]{0,63}$' }), name: Type.String({ minLength: 1, maxLength: 1024 }) }, { additionalProperties: false });

/**
 * `phiguard deid <format> … --server URL`: each file is posted raw, de-identified on the server
 * with its key and a built-in profile, and sent back with its counts; the client keeps the
 * folder layout, journal and signed manifest exactly as the local command does. De-identifying
 * uploaded PHI is a data action: `dataset.write` on the `deid` resource with a purpose of use.
 * The body is never logged nor echoed in an error.
 */
export function registerDeidRoutes(app: FastifyInstance, access: AccessServices, remote: RemoteServices): void {
  const service = (): DeidService => {
    if (remote.deid === undefined) throw new ApiError('not-configured', 'this server does not de-identify');
    return remote.deid;
  };
  const allow = async (request: Parameters<typeof authenticate>[0]): Promise<void> => {
    const caller = await authenticate(request, access);
    await requireAllowed(access, caller, 'dataset.write', { type: 'Dataset', id: 'deid' }, request.id, { purpose: purposeOf(request) });
  };

  app.get('/v1/deid/profiles/:name', { schema: { tags: ['deid'], summary: 'A built-in profile (id, version, hash) and the id of the pseudonymization key (dataset.write on deid).', params: Profile } }, async (request) => {
    await allow(request);
    const found = service().profile((request.params as Static<typeof Profile>).name);
    if (found === undefined) throw new ApiError('invalid-argument', 'no such built-in profile', { place: { field: 'profile' } });
    return found;
  });

  app.post('/v1/deid/:format', { schema: { tags: ['deid'], summary: `De-identify one file (raw body, at most ${String(MAX_DEID_FILE_BYTES / 2 ** 20)} MiB); answer ${DEID_MEDIA_TYPE} (dataset.write on deid).`, params: Format, querystring: Query } }, async (request, reply) => {
    const { format } = request.params as Static<typeof Format>;
    const { profile, name } = request.query as Static<typeof Query>;
    await allow(request);
    const deid = service();
    if (!deid.formats.includes(format)) throw new ApiError('invalid-argument', 'no such format', { place: { field: 'format' } });
    if (deid.profile(profile) === undefined) throw new ApiError('invalid-argument', 'no such built-in profile', { place: { field: 'profile' } });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request.raw) {
      size += (chunk as Buffer).length;
      if (size > MAX_DEID_FILE_BYTES) throw new ApiError('too-large', 'the file is larger than the server de-identifies in one request', { place: { field: 'body' } });
      chunks.push(chunk as Buffer);
    }
    const answer = await deid.process(format, profile, name, Buffer.concat(chunks));
    const head = answer.ok ? { ok: true, records: answer.records, tally: answer.tally, problems: answer.problems, bytes: answer.output.byteLength } : { ok: false, problem: answer.problem };
    return reply.type(DEID_MEDIA_TYPE).send(Buffer.concat([Buffer.from(`${JSON.stringify(head)}\n`), answer.ok ? Buffer.from(answer.output) : Buffer.alloc(0)]));
  });
}
