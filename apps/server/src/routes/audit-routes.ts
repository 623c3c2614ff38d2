import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { encodeEntryBundle, parseLeaf, proveInclusion, readVerifiedHead, TILE_WIDTH, type EntryQuery } from '@phiguard/audit';
import type { AccessServices } from '../http/access-services.ts';
import { ApiError } from '../http/api-error.ts';
import { authenticate } from '../http/authenticate.ts';
import type { RemoteServices } from '../http/remote-services.ts';
import { requireAllowed } from './admin-routes.ts';

/** Most entries one `/v1/audit/entries` answer carries (16 entry bundles). */
export const MAX_ENTRIES_PER_READ = 16 * TILE_WIDTH;

const Tile = Type.Object({ level: Type.Integer({ minimum: 0, maximum: 63 }), index: Type.Integer({ minimum: 0 }) });
const Entries = Type.Object({ from: Type.Integer({ minimum: 0 }), count: Type.Integer({ minimum: 1, maximum: MAX_ENTRIES_PER_READ }) });
const Index = Type.Object({ index: Type.Integer({ minimum: 0 }) });
const Token = Type.String({ maxLength: 128 });
const Search = Type.Object({
  actor: Type.Optional(Token), action: Type.Optional(Token), resourceType: Type.Optional(Token), resourceId: Type.Optional(Token),
  since: Type.Optional(Type.String({ format: 'date-time' })), until: Type.Optional(Type.String({ format: 'date-time' })),
  after: Type.Optional(Type.Integer({ minimum: 0 })), limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
}, { additionalProperties: false });

/**
 * `phiguard audit … --server URL` (HIPAA §164.312(b) audit controls): the ledger as C2SP
 * tlog-tiles resources (checkpoint, tiles, entry bundles) so the client verifies and exports with
 * its own trusted keys, plus inclusion proofs (RFC 9162 §2.1.3), search and the public key.
 * `audit.verify` for the log's structure, `audit.read` for entries; every decision is recorded.
 */
export function registerAuditRoutes(app: FastifyInstance, access: AccessServices, remote: RemoteServices): void {
  const ledger = async (request: FastifyRequest, action: 'audit.read' | 'audit.verify'): Promise<NonNullable<RemoteServices['audit']>> => {
    const caller = await authenticate(request, access);
    await requireAllowed(access, caller, action, { type: 'AuditLog', id: 'ledger' }, request.id);
    if (remote.audit === undefined) throw new ApiError('not-configured', 'this server does not serve its ledger');
    return remote.audit;
  };

  app.get('/v1/audit/checkpoint', { schema: { tags: ['audit'], summary: 'The latest signed checkpoint (C2SP tlog-checkpoint note) (audit.verify).' } }, async (request, reply) => {
    const audit = await ledger(request, 'audit.verify');
    return reply.type('text/plain; charset=utf-8').send(await audit.store.readCheckpoint());
  });

  app.get('/v1/audit/public-key', { schema: { tags: ['audit'], summary: "The ledger signer's verifier key (C2SP note key) (audit.verify)." } }, async (request, reply) => {
    const audit = await ledger(request, 'audit.verify');
    return reply.type('text/plain; charset=utf-8').send(`${audit.verifierKey}\n`);
  });

  app.get('/v1/audit/tiles/:level/:index', { schema: { tags: ['audit'], summary: 'The newest version of a hash tile, 32-byte hashes (audit.verify).', params: Tile } }, async (request, reply) => {
    const { level, index } = request.params as Static<typeof Tile>;
    const audit = await ledger(request, 'audit.verify');
    const tile = await audit.store.getTile(level, index);
    if (tile === undefined) return reply.code(404).type('application/problem+json').send({ type: 'https://phiguard.dev/problems/not-found', title: 'no such tile', status: 404, code: 'not-found', requestId: request.id });
    return reply.type('application/octet-stream').send(tile);
  });

  app.get('/v1/audit/entries', { schema: { tags: ['audit'], summary: `Entries from..from+count-1 as one C2SP entry bundle (at most ${String(MAX_ENTRIES_PER_READ)}) (audit.read).`, querystring: Entries } }, async (request, reply) => {
    const { from, count } = request.query as Static<typeof Entries>;
    const audit = await ledger(request, 'audit.read');
    return reply.type('application/octet-stream').send(encodeEntryBundle(await audit.store.readEntries(from, count)));
  });

  app.get('/v1/audit/proof/:index', { schema: { tags: ['audit'], summary: 'An entry, its inclusion proof (RFC 9162 §2.1.3) and the checkpoint it leads to (audit.read).', params: Index } }, async (request) => {
    const { index } = request.params as Static<typeof Index>;
    const audit = await ledger(request, 'audit.read');
    const p = await proveInclusion(audit.store, await readVerifiedHead(audit.store, audit.verifiers), index);
    return { index: p.index, entry: p.event, leafHash: p.leafHash.toString('base64'), treeSize: p.size, root: p.root.toString('base64'), proof: p.proof.map((h) => h.toString('base64')), checkpoint: p.checkpoint };
  });

  app.get('/v1/audit/search', { schema: { tags: ['audit'], summary: 'Entries by actor, action, resource and time, one JSON entry per line (audit.read).', querystring: Search } }, async (request, reply) => {
    const q = request.query as Static<typeof Search>;
    const audit = await ledger(request, 'audit.read');
    const query: EntryQuery = {
      ...(q.actor === undefined ? {} : { actorId: q.actor }), ...(q.action === undefined ? {} : { action: q.action }),
      ...(q.resourceType === undefined ? {} : { resourceType: q.resourceType }), ...(q.resourceId === undefined ? {} : { resourceId: q.resourceId }),
      ...(q.since === undefined ? {} : { from: q.since }), ...(q.until === undefined ? {} : { to: q.until }),
      ...(q.after === undefined ? {} : { after: q.after }), limit: q.limit ?? 100,
    };
    const hits = await audit.store.search(query);
    return reply.type('application/x-ndjson').send(Readable.from(hits.map((hit) => `${JSON.stringify({ index: hit.index, ...parseLeaf(hit.leaf) })}\n`)));
  });
}
