import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import type { Action } from '@phiguard/access';
import type { DatasetRecord, Datasets, NewFile } from '@phiguard/vault';
import type { AccessServices } from '../http/access-services.ts';
import { ApiError } from '../http/api-error.ts';
import { authenticate, purposeOf, type Caller } from '../http/authenticate.ts';
import { ByteReader } from '../http/byte-reader.ts';
import type { RemoteServices } from '../http/remote-services.ts';
import { requireAllowed } from './admin-routes.ts';

/** Streamed file sets: one JSON header line, then each file's bytes in the order the header lists them. */
export const FILES_MEDIA_TYPE = 'application/vnd.phiguard.files';
/** The header line may name many files, but it is bounded (the bytes that follow are not). */
const HEADER_LIMIT = 4 * 2 ** 20;

const Ref = Type.String({ pattern: '^[a-z][a-z0-9._-]{0,63}$' });
const Params = Type.Object({ id: Ref });
const VersionParams = Type.Object({ id: Ref, number: Type.String({ pattern: '^(latest|[1-9][0-9]{0,8})$' }) });
const NewDataset = Type.Object({ name: Ref, keyId: Ref, retainUntilMs: Type.Optional(Type.Integer({ minimum: 0 })) }, { additionalProperties: false });
const Verify = Type.Object({ version: Type.Optional(Type.Integer({ minimum: 1 })), deep: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
const Retention = Type.Object({ retainUntilMs: Type.Integer({ minimum: 0 }) }, { additionalProperties: false });
const Gc = Type.Object({ minAgeMs: Type.Optional(Type.Integer({ minimum: 0 })) }, { additionalProperties: false });

interface UploadHeader {
  readonly files: readonly { readonly name: string; readonly size: number }[];
  readonly replace?: boolean;
  readonly deidManifest?: string;
}

function parseUploadHeader(line: string): UploadHeader {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new ApiError('invalid-body', 'the upload header is not JSON', { place: { field: 'header' } });
  }
  const h = value as Partial<UploadHeader> | null;
  const filesOk = Array.isArray(h?.files) && h.files.every((f: unknown) => {
    const file = f as { name?: unknown; size?: unknown } | null;
    return typeof file?.name === 'string' && Number.isSafeInteger(file.size) && (file.size as number) >= 0;
  });
  if (h === null || !filesOk || (h.replace !== undefined && typeof h.replace !== 'boolean') || (h.deidManifest !== undefined && !/^sha256:[0-9a-f]{64}$/.test(h.deidManifest))) {
    throw new ApiError('invalid-body', 'the upload header must be {files:[{name,size}], replace?, deidManifest?}', { place: { field: 'header' } });
  }
  return h as UploadHeader;
}

function recordView(d: DatasetRecord): DatasetRecord {
  return { id: d.id, name: d.name, keyProvider: d.keyProvider, keyId: d.keyId, createdBy: d.createdBy, createdMs: d.createdMs, retainUntilMs: d.retainUntilMs, legalHold: d.legalHold };
}

/**
 * `phiguard datasets … --server URL`: the server's sealed datasets (docs/vault.md). Every route
 * authenticates, needs `X-Purpose-Of-Use` (data actions), decides with Cedar on the dataset (its
 * id and the key sealing it) and is recorded; the vault records what it did as the caller. Files
 * go up and down as streams: constant memory whatever their size.
 */
export function registerDatasetRoutes(app: FastifyInstance, access: AccessServices, remote: RemoteServices): void {
  const run = <T>(work: (ds: Datasets) => Promise<T>): Promise<T> => {
    if (remote.datasets === undefined) throw new ApiError('not-configured', 'this server has no vault (start it with the keystore unlocked)');
    return remote.datasets(work);
  };
  /** Authorizes `action` on the dataset named in the path (the decision is made before "not found" is told). */
  const onDataset = async (request: FastifyRequest, action: Action, ref: string): Promise<{ caller: Caller; record: DatasetRecord | undefined }> => {
    const caller = await authenticate(request, access);
    const record = await run(async (ds) => (await ds.list()).find((d) => d.id === ref || d.name === ref));
    await requireAllowed(access, caller, action, { type: 'Dataset', id: record?.id ?? ref, sealedBy: record === undefined ? [] : [record.keyId] }, request.id, { purpose: purposeOf(request) });
    return { caller, record };
  };
  const versionOf = (number: string): number | undefined => (number === 'latest' ? undefined : Number(number));

  app.get('/v1/datasets', { schema: { tags: ['datasets'], summary: 'List datasets (dataset.read; X-Purpose-Of-Use).' } }, async (request) => {
    await onDataset(request, 'dataset.read', 'all');
    return (await run((ds) => ds.list())).map(recordView);
  });

  app.post('/v1/datasets', { schema: { tags: ['datasets'], summary: 'Create a dataset sealed under a key (dataset.write).', body: NewDataset } }, async (request, reply) => {
    const body = request.body as Static<typeof NewDataset>;
    const caller = await authenticate(request, access);
    await requireAllowed(access, caller, 'dataset.write', { type: 'Dataset', id: 'new', sealedBy: [body.keyId] }, request.id, { purpose: purposeOf(request) });
    const record = await run((ds) => ds.create({ actor: caller.principal.id, name: body.name, keyId: body.keyId, ...(body.retainUntilMs === undefined ? {} : { retainUntilMs: body.retainUntilMs }) }));
    return reply.code(201).send(recordView(record));
  });

  app.get('/v1/datasets/:id/record', { schema: { tags: ['datasets'], summary: 'A dataset record by id or name (dataset.read).', params: Params } }, async (request) => {
    const { id } = request.params as Static<typeof Params>;
    await onDataset(request, 'dataset.read', id);
    return recordView(await run((ds) => ds.dataset(id)));
  });

  app.get('/v1/datasets/:id/versions', { schema: { tags: ['datasets'], summary: 'The versions of a dataset (dataset.read).', params: Params } }, async (request) => {
    const { id } = request.params as Static<typeof Params>;
    await onDataset(request, 'dataset.read', id);
    return (await run((ds) => ds.versions(id))).map((v) => ({ version: v.version, createdMs: v.createdMs, blobs: v.blobs.length, ledgerIndex: v.ledgerIndex, manifestHash: v.manifestHash }));
  });

  app.get('/v1/datasets/:id/versions/:number', { schema: { tags: ['datasets'], summary: 'Open a version: its manifest and file list (dataset.read, recorded as a read).', params: VersionParams } }, async (request) => {
    const { id, number } = request.params as Static<typeof VersionParams>;
    const { caller } = await onDataset(request, 'dataset.read', id);
    const opened = await run((ds) => ds.open(caller.principal.id, id, versionOf(number)));
    return { version: opened.record.version, manifestHash: opened.record.manifestHash, signerKeyId: opened.record.signerKeyId, files: opened.files.map((f) => ({ name: f.name, size: f.size, sha256: f.sha256 })) };
  });

  app.get('/v1/datasets/:id/versions/:number/content', { schema: { tags: ['datasets'], summary: `Unseal a version as a stream (${FILES_MEDIA_TYPE}: a JSON header line, then each file's bytes); each file is verified as it is read (dataset.read).`, params: VersionParams } }, async (request, reply) => {
    const { id, number } = request.params as Static<typeof VersionParams>;
    const { caller } = await onDataset(request, 'dataset.read', id);
    if (remote.datasets === undefined) throw new ApiError('not-configured', 'this server has no vault');
    const useDatasets = remote.datasets;
    const opened = await run((ds) => ds.open(caller.principal.id, id, versionOf(number)));
    const header = `${JSON.stringify({ version: opened.record.version, files: opened.files.map((f) => ({ name: f.name, size: f.size, sha256: f.sha256 })) })}\n`;
    // A file that fails verification half-way ends the stream with an error: the client sees a cut body, never a wrong file.
    const body = Readable.from((async function* () {
      yield Buffer.from(header);
      for (const entry of opened.files) {
        const chunks = await useDatasets((ds) => Promise.resolve(ds.read(opened, entry)));
        yield* chunks;
      }
    })());
    return reply.type(FILES_MEDIA_TYPE).send(body);
  });

  app.post('/v1/datasets/:id/versions', { schema: { tags: ['datasets'], summary: `Add a version from a stream (${FILES_MEDIA_TYPE}), sealed on the server as it arrives (dataset.write).`, params: Params } }, async (request, reply) => {
    const { id } = request.params as Static<typeof Params>;
    const { caller } = await onDataset(request, 'dataset.write', id);
    const reader = new ByteReader(request.raw);
    const header = parseUploadHeader(await reader.readLine(HEADER_LIMIT, 'header'));
    const files: NewFile[] = header.files.map((f, i) => ({ name: f.name, open: () => reader.take(f.size, `files.${String(i)}`) }));
    const record = await run((ds) => ds.addVersion(id, { actor: caller.principal.id, files, ...(header.replace === true ? { replace: true } : {}), ...(header.deidManifest === undefined ? {} : { deidManifest: header.deidManifest }) }));
    if (!(await reader.atEnd())) throw new ApiError('invalid-body', 'bytes after the last announced file', { place: { field: 'body' } });
    return reply.code(201).send({ version: record.version, manifestHash: record.manifestHash, ledgerIndex: record.ledgerIndex, files: header.files.length });
  });

  app.post('/v1/datasets/:id/verify', { schema: { tags: ['datasets'], summary: 'Verify manifests, signatures, ledger entries and blobs; deep also unseals (dataset.read).', params: Params, body: Verify } }, async (request) => {
    const { id } = request.params as Static<typeof Params>;
    const body = request.body as Static<typeof Verify>;
    await onDataset(request, 'dataset.read', id);
    return run((ds) => ds.verify(id, { ...(body.version === undefined ? {} : { version: body.version }), ...(body.deep === true ? { deep: true } : {}) }));
  });

  app.put('/v1/datasets/:id/hold', { schema: { tags: ['datasets'], summary: 'Place a legal hold (dataset.write).', params: Params } }, async (request, reply) => {
    const { id } = request.params as Static<typeof Params>;
    const { caller } = await onDataset(request, 'dataset.write', id);
    await run((ds) => ds.hold(caller.principal.id, id));
    return reply.code(204).send();
  });

  app.delete('/v1/datasets/:id/hold', { schema: { tags: ['datasets'], summary: 'Release a legal hold (dataset.write).', params: Params } }, async (request, reply) => {
    const { id } = request.params as Static<typeof Params>;
    const { caller } = await onDataset(request, 'dataset.write', id);
    await run((ds) => ds.releaseHold(caller.principal.id, id));
    return reply.code(204).send();
  });

  app.put('/v1/datasets/:id/retention', { schema: { tags: ['datasets'], summary: 'Extend retention; it never shortens (dataset.write).', params: Params, body: Retention } }, async (request, reply) => {
    const { id } = request.params as Static<typeof Params>;
    const { caller } = await onDataset(request, 'dataset.write', id);
    await run((ds) => ds.setRetention(caller.principal.id, id, (request.body as Static<typeof Retention>).retainUntilMs));
    return reply.code(204).send();
  });

  app.post('/v1/datasets/gc', { schema: { tags: ['datasets'], summary: 'Remove unreferenced blobs once retention allows (dataset.write).', body: Gc } }, async (request) => {
    const { caller } = await onDataset(request, 'dataset.write', 'all');
    const minAgeMs = (request.body as Static<typeof Gc>).minAgeMs;
    return run((ds) => ds.gc(caller.principal.id, minAgeMs === undefined ? {} : { minAgeMs }));
  });
}
