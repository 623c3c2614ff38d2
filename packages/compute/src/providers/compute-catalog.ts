import type { Baa, ComputeNode, NewNode, NewProvider, NodeAttestation, Provider } from './catalog-types.ts';

/**
 * The port for providers and nodes (issue 8). Implementations: {@link SqlComputeCatalog} over
 * PGlite or PostgreSQL. Inputs are validated (`ComputeError` `invalid-input`); a missing id is
 * `not-found`, a duplicate name `conflict`. Returned records are frozen.
 */
export interface ComputeCatalog {
  addProvider(input: NewProvider): Promise<Provider>;
  getProvider(id: string): Promise<Provider | undefined>;
  listProviders(): Promise<Provider[]>;
  setBaa(providerId: string, baa: Baa): Promise<Provider>;
  addNode(input: NewNode): Promise<ComputeNode>;
  getNode(id: string): Promise<ComputeNode | undefined>;
  listNodes(): Promise<ComputeNode[]>;
  setNodePrice(nodeId: string, pricePerHourUsd: number | undefined): Promise<ComputeNode>;
  setNodeEnabled(nodeId: string, enabled: boolean): Promise<ComputeNode>;
  /** What the node's last verified attestation showed (by the control plane after verification). */
  recordAttestation(nodeId: string, attestation: NodeAttestation): Promise<ComputeNode>;
}
