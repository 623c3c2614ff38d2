/** Business Associate Agreement states (HIPAA §164.308(b)(1), §164.504(e)). Only `signed` can be in force. */
export const BAA_STATUSES = ['signed', 'pending', 'none', 'terminated'] as const;
export type BaaStatus = (typeof BAA_STATUSES)[number];

/** A provider's BAA. Dates are UTC calendar days `YYYY-MM-DD`; in force while effectiveOn ≤ today < expiresOn. */
export interface Baa {
  readonly status: BaaStatus;
  readonly effectiveOn?: string;
  /** The first day it is no longer in force; absent: open-ended. */
  readonly expiresOn?: string;
}

export const CONTACT_ROLES = ['privacy-officer', 'security', 'account', 'support'] as const;
export type ContactRole = (typeof CONTACT_ROLES)[number];

/** A business contact at the provider (work address; never patient data). */
export interface ProviderContact {
  readonly role: ContactRole;
  readonly email: string;
}

/** A GPU cloud (or an on-premises lab) that runs nodes. */
export interface Provider {
  readonly id: string;
  readonly name: string;
  readonly regions: readonly string[];
  readonly contacts: readonly ProviderContact[];
  readonly baa: Baa;
  readonly createdMs: number;
}

/** CPU TEEs a node's hardware offers (AMD SEV-SNP, Intel TDX). */
export const CPU_TEE_KINDS = ['sev-snp', 'tdx'] as const;
export type CpuTeeKind = (typeof CPU_TEE_KINDS)[number];

/** NVIDIA confidential-computing generations (Hopper H100/H200, Blackwell B200). */
export const GPU_CC_KINDS = ['hopper', 'blackwell'] as const;
export type GpuCcKind = (typeof GPU_CC_KINDS)[number];

export interface GpuSpec {
  /** Lower-case model code, e.g. `h100`, `a100-80gb`, `rtx-4090`; `none` for CPU-only nodes. */
  readonly model: string;
  readonly count: number;
  /** Memory per GPU. */
  readonly memoryGiB: number;
}

/** What the last verified attestation of a node showed (written by key release / the agent's registration). */
export interface NodeAttestation {
  readonly cpuTee: CpuTeeKind | 'none';
  readonly gpuCc: boolean;
  /** The GPU evidence was bound to the CPU TEE's nonce and key. */
  readonly gpuBound: boolean;
  readonly evidenceHash: string;
  readonly verifiedMs: number;
}

/** A machine that can run jobs. Capabilities are declared; `attestation` is what was verified. */
export interface ComputeNode {
  readonly id: string;
  readonly providerId: string;
  readonly name: string;
  readonly region: string;
  readonly gpu: GpuSpec;
  readonly memoryGiB: number;
  readonly cpuTee: readonly CpuTeeKind[];
  readonly gpuCc: readonly GpuCcKind[];
  readonly diskEncryption: boolean;
  /** Overrides the price list; absent: the list price for the GPU. */
  readonly pricePerHourUsd?: number;
  readonly enabled: boolean;
  readonly attestation?: NodeAttestation;
  readonly createdMs: number;
}

export type NewProvider = Omit<Provider, 'id' | 'createdMs'>;
export type NewNode = Omit<ComputeNode, 'id' | 'createdMs' | 'attestation' | 'enabled'> & { readonly enabled?: boolean };
