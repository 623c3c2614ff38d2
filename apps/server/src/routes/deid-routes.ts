import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { AccessServices } from '../http/access-services.ts';
import { ApiError } from '../http/api-error.ts';
import { authenticate, purposeOf } from '../http/authenticate.ts';
import type { DeidFileAnswer, DeidService, RemoteServices } from '../http/remote-services.ts';
import { DEID_FRAME_OUTPUT, DEID_FRAME_TRAILER, deidFrame } from './deid-frames.ts';
import { requireAllowed } from './admin-routes.ts';

/** A de-identified file on the wire: frames of output as it is produced, then a trailer (deid-frames.ts). */
export const DEID_MEDIA_TYPE = 'application/vnd.phiguard.deid';
/**
 * Largest input for the engines that need a whole file in memory (clinical text notes). HL7 v2,
 * FHIR and DICOM files stream through the server in constant memory, whatever their size.
 */
export const MAX_DEID_FILE_BYTES = 256 * 2 ** 20;

const Profile = Type.Object({ name: Type.String({ pattern: '^[a-z][a-z-]{0,63}$' }) });
const Format = Type.Object({ format: Type.String({ pattern: '^[a-z0-9]{2,16}$' }) });
/** `bytes`: the file's size, so the engine can start before the upload ends (docs/server.md). */
const Query = Type.Object({ profile: Type.String({ pattern: '^[a-z][a-z-]{0,63}$' }), name: Type.String({ minLength: 1, maxLength: 1024 }), bytes: Type.Optional(Type.String({ pattern: '^(?:0|[1-9][0-9]{0,14})$' })) }, { additionalProperties: false });

/**
 * `phiguard deid <format> … --server URL`: each file is posted raw and streamed into the same
 * engines as the local command (server key, built-in profile); the output streams back as it is
 * produced, the counts and problems follow in a trailer, and the server records a `deid.run`
 * ledger entry as the caller. The client keeps the folder layout, journal and signed manifest
 * exactly as the local command does. De-identifying
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

  app.post('/v1/deid/:format', { schema: { tags: ['deid'], summary: `De-identify one file, streamed both ways (raw body; text notes at most ${String(MAX_DEID_FILE_BYTES / 2 ** 20)} MiB); answer ${DEID_MEDIA_TYPE}: output frames, then a trailer with counts and the deid.run ledger entry (dataset.write on deid).`, params: Format, querystring: Query } }, async (request, reply) => {
    const { format } = request.params as Static<typeof Format>;
    const { profile, name, bytes } = request.query as Static<typeof Query>;
    const caller = await authenticate(request, access);
    const purpose = purposeOf(request);
    await requireAllowed(access, caller, 'dataset.write', { type: 'Dataset', id: 'deid' }, request.id, { purpose });
    const deid = service();
    if (!deid.formats.includes(format)) throw new ApiError('invalid-argument', 'no such format', { place: { field: 'format' } });
    if (deid.profile(profile) === undefined) throw new ApiError('invalid-argument', 'no such built-in profile', { place: { field: 'profile' } });
    const frames = new FrameStream();
    const run = async (): Promise<void> => {
      let answer: DeidFileAnswer;
      try {
        answer = await deid.process(
          { format, profile, relative: name, body: request.raw, ...(bytes === undefined ? {} : { bytes: Number(bytes) }), caller: { actor: { kind: caller.principal.kind, id: caller.principal.id }, requestId: request.id, ...(purpose === undefined ? {} : { purpose }) } },
          (piece) => frames.output(piece),
        );
      } catch (error) {
        // A bug or a lost connection after the answer started: the trailer names only the kind.
        if (frames.closed) return;
        request.log.error({ code: typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : 'internal-error' }, 'deid stream failed');
        answer = { ok: false, problem: { code: 'internal-error', message: 'the file could not be processed', place: {} } };
      }
      frames.end(answer);
    };
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) frames.abort();
    });
    void run();
    return reply.type(DEID_MEDIA_TYPE).send(frames.readable);
  });
}

/** The answer's frames with back-pressure: output waits while the client is slower than the engine. */
class FrameStream {
  readonly readable = new PassThrough({ highWaterMark: 2 ** 20 });
  closed = false;

  constructor() {
    this.readable.on('close', () => {
      this.abort();
    });
  }

  /** The client went away: stop waiting for it (the service then stops sending). */
  abort(): void {
    if (this.closed) return;
    this.closed = true;
    this.readable.emit('drain');
  }

  async output(piece: Uint8Array): Promise<void> {
    for (let off = 0; off < piece.byteLength; off += 2 ** 20) {
      if (this.closed) throw new ApiError('invalid-body', 'the client went away', { place: { field: 'body' } });
      const ok = this.readable.write(deidFrame(DEID_FRAME_OUTPUT, piece.subarray(off, Math.min(piece.byteLength, off + 2 ** 20))));
      if (!ok) await new Promise<void>((resolve) => {
        const done = (): void => {
          this.readable.off('drain', done);
          this.readable.off('close', done);
          resolve();
        };
        this.readable.on('drain', done);
        this.readable.on('close', done);
      });
      if (this.isClosed()) throw new ApiError('invalid-body', 'the client went away', { place: { field: 'body' } });
    }
  }

  /** A method, not the field: it changes while output() waits. */
  isClosed(): boolean {
    return this.closed;
  }

  end(answer: DeidFileAnswer): void {
    if (this.closed) return;
    this.readable.end(deidFrame(DEID_FRAME_TRAILER, Buffer.from(JSON.stringify(answer), 'utf8')));
  }
}
