import { newId, type Clock } from '@phiguard/core';
import type { AuditDetails, AuditRecorder, SqlDriver } from '@phiguard/audit';
import { ComputeError } from '../compute-error.ts';
import type { Baa, ComputeNode, NewNode, NewProvider, NodeAttestation, Provider } from './catalog-types.ts';
import type { ComputeCatalog } from './compute-catalog.ts';
import { validateBaa, validateNewNode, validateNewProvider } from './validate-catalog-input.ts';

interface DocRow {
  readonly doc: string;
}

const UNIQUE_VIOLATION = '23505';
const isUniqueViolation = (e: unknown): boolean => typeof e === 'object' && e !== null && (e as { code?: unknown }).code === UNIQUE_VIOLATION;

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * {@link ComputeCatalog} over a {@link SqlDriver} (PGlite or PostgreSQL); records are JSON
 * documents. With an `audit` recorder every change is a ledger event (`provider.add`,
 * `provider.baa`, `node.add`, `node.price`, `node.enable`, `node.attest`; ids and codes only).
 */
export class SqlComputeCatalog implements ComputeCatalog {
  readonly #db: SqlDriver;
  readonly #clock: Clock;
  readonly #audit: AuditRecorder | undefined;

  constructor(db: SqlDriver, clock: Clock, options: { readonly audit?: AuditRecorder } = {}) {
    this.#db = db;
    this.#clock = clock;
    this.#audit = options.audit;
  }

  async #record(action: string, type: 'provider' | 'node', id: string, details: AuditDetails): Promise<void> {
    await this.#audit?.record({ actor: { kind: 'system', id: 'compute-catalog' }, action, outcome: 'success', resources: [{ type, id }], details });
  }

  async addProvider(input: NewProvider): Promise<Provider> {
    const checked = validateNewProvider(input);
    const provider: Provider = { id: newId('prov', this.#clock), createdMs: this.#clock.nowMs(), ...checked };
    try {
      await this.#db.query('INSERT INTO compute_providers (id, name, doc, created_ms) VALUES ($1, $2, $3, $4)', [provider.id, provider.name, JSON.stringify(provider), provider.createdMs]);
    } catch (error) {
      if (isUniqueViolation(error)) throw new ComputeError('conflict', 'a provider with this name exists', { place: { field: 'name' }, cause: error });
      throw error;
    }
    await this.#record('provider.add', 'provider', provider.id, { baaStatus: provider.baa.status });
    return deepFreeze(provider);
  }

  async getProvider(id: string): Promise<Provider | undefined> {
    const [row] = await this.#db.query<DocRow>('SELECT doc FROM compute_providers WHERE id = $1 OR name = $1', [id]);
    return row === undefined ? undefined : deepFreeze(JSON.parse(row.doc) as Provider);
  }

  async listProviders(): Promise<Provider[]> {
    return (await this.#db.query<DocRow>('SELECT doc FROM compute_providers ORDER BY name')).map((r) => deepFreeze(JSON.parse(r.doc) as Provider));
  }

  async setBaa(providerId: string, baa: Baa): Promise<Provider> {
    const checked = validateBaa(baa);
    const p = await this.#update<Provider>('compute_providers', providerId, (current) => ({ ...current, baa: checked }));
    await this.#record('provider.baa', 'provider', p.id, { baaStatus: checked.status });
    return p;
  }

  async addNode(input: NewNode): Promise<ComputeNode> {
    const checked = validateNewNode(input);
    const provider = await this.getProvider(checked.providerId);
    if (provider === undefined) throw new ComputeError('not-found', 'no such provider', { place: { field: 'providerId' } });
    const node: ComputeNode = { id: newId('node', this.#clock), createdMs: this.#clock.nowMs(), ...checked, providerId: provider.id, enabled: checked.enabled ?? true };
    try {
      await this.#db.query('INSERT INTO compute_nodes (id, provider_id, name, doc, created_ms) VALUES ($1, $2, $3, $4, $5)', [node.id, node.providerId, node.name, JSON.stringify(node), node.createdMs]);
    } catch (error) {
      if (isUniqueViolation(error)) throw new ComputeError('conflict', 'a node with this name exists', { place: { field: 'name' }, cause: error });
      throw error;
    }
    await this.#record('node.add', 'node', node.id, { gpuCount: node.gpu.count, diskEncryption: node.diskEncryption });
    return deepFreeze(node);
  }

  async getNode(id: string): Promise<ComputeNode | undefined> {
    const [row] = await this.#db.query<DocRow>('SELECT doc FROM compute_nodes WHERE id = $1 OR name = $1', [id]);
    return row === undefined ? undefined : deepFreeze(JSON.parse(row.doc) as ComputeNode);
  }

  async listNodes(): Promise<ComputeNode[]> {
    return (await this.#db.query<DocRow>('SELECT doc FROM compute_nodes ORDER BY name')).map((r) => deepFreeze(JSON.parse(r.doc) as ComputeNode));
  }

  async setNodePrice(nodeId: string, pricePerHourUsd: number | undefined): Promise<ComputeNode> {
    if (pricePerHourUsd !== undefined && (!Number.isFinite(pricePerHourUsd) || pricePerHourUsd < 0)) {
      throw new ComputeError('invalid-input', 'price must be a non-negative number of dollars', { place: { field: 'pricePerHourUsd' } });
    }
    const node = await this.#update<ComputeNode>('compute_nodes', nodeId, (n) => {
      const rest: ComputeNode = { ...n };
      delete (rest as { pricePerHourUsd?: number }).pricePerHourUsd;
      return pricePerHourUsd === undefined ? rest : { ...rest, pricePerHourUsd };
    });
    await this.#record('node.price', 'node', node.id, pricePerHourUsd === undefined ? {} : { priceMicroUsdPerHour: Math.round(pricePerHourUsd * 1e6) });
    return node;
  }

  async setNodeEnabled(nodeId: string, enabled: boolean): Promise<ComputeNode> {
    const node = await this.#update<ComputeNode>('compute_nodes', nodeId, (n) => ({ ...n, enabled }));
    await this.#record('node.enable', 'node', node.id, { enabled });
    return node;
  }

  async recordAttestation(nodeId: string, attestation: NodeAttestation): Promise<ComputeNode> {
    if (!/^sha256:[0-9a-f]{64}$/.test(attestation.evidenceHash) || !Number.isSafeInteger(attestation.verifiedMs)) {
      throw new ComputeError('invalid-input', 'attestation needs a sha256: evidence hash and a time', { place: { field: 'attestation' } });
    }
    const copy: NodeAttestation = { cpuTee: attestation.cpuTee, gpuCc: attestation.gpuCc, gpuBound: attestation.gpuBound, evidenceHash: attestation.evidenceHash, verifiedMs: attestation.verifiedMs };
    const node = await this.#update<ComputeNode>('compute_nodes', nodeId, (n) => ({ ...n, attestation: copy }));
    await this.#record('node.attest', 'node', node.id, { cpuTee: copy.cpuTee, gpuCc: copy.gpuCc, gpuBound: copy.gpuBound, evidenceHash: copy.evidenceHash });
    return node;
  }

  /** Read-modify-write of one document under a row lock (SELECT … FOR UPDATE). */
  async #update<T extends { readonly id: string }>(table: 'compute_providers' | 'compute_nodes', idOrName: string, change: (current: T) => T): Promise<T> {
    const updated = await this.#db.transaction(async (q) => {
      const [row] = await q<DocRow>(`SELECT doc FROM ${table} WHERE id = $1 OR name = $1 FOR UPDATE`, [idOrName]);
      if (row === undefined) return undefined;
      const next = change(JSON.parse(row.doc) as T);
      await q(`UPDATE ${table} SET doc = $2 WHERE id = $1`, [next.id, JSON.stringify(next)]);
      return next;
    });
    if (updated === undefined) throw new ComputeError('not-found', table === 'compute_nodes' ? 'no such node' : 'no such provider', { place: { field: 'id' } });
    return deepFreeze(updated);
  }
}
