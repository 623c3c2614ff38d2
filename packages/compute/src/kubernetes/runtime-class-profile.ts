// client-node's models are classes, but its API and serializer take plain objects (as its own examples do).
/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment */
import type { V1NodeSelectorRequirement } from '@kubernetes/client-node';

/** How a runtime class isolates a pod: CPU TEE, and whether its GPUs are passed through in confidential-computing mode. */
export interface RuntimeClassProfile {
  /** `spec.runtimeClassName`; absent = the cluster's default runtime (runc), never confidential. */
  readonly name?: string;
  /** CPU TEE the runtime class launches the pod's VM in; `none` for runc or plain Kata. */
  readonly tee: 'sev-snp' | 'tdx' | 'none';
  /** `none`: no GPUs; `plain`: GPUs without CC mode; `cc`: GPUs in confidential-computing mode inside the TEE. */
  readonly gpu: 'none' | 'plain' | 'cc';
  /** Extended resource the GPUs are requested as (`nvidia.com/gpu`; the Kata sandbox device plugin advertises `nvidia.com/pgpu`). */
  readonly gpuResource?: string;
  /** Node affinity terms (ANDed) that pick nodes able to run this class. */
  readonly nodeRequirements?: readonly V1NodeSelectorRequirement[];
}

const SNP_NODE: V1NodeSelectorRequirement = { key: 'amd.feature.node.kubernetes.io/snp', operator: 'In', values: ['true'] };
const TDX_NODE: V1NodeSelectorRequirement = { key: 'intel.feature.node.kubernetes.io/tdx', operator: 'In', values: ['true'] };
// GPU operator: `nvidia.com/cc.mode` is `on`, or `ppcie` for multi-GPU Hopper passthrough.
const GPU_CC_NODE: V1NodeSelectorRequirement = { key: 'nvidia.com/cc.mode', operator: 'In', values: ['on', 'ppcie'] };

/**
 * The Confidential Containers runtime classes installed by the kata-deploy chart (CoCo; NVIDIA
 * Confidential Containers reference architecture), most specific first. The node labels are the
 * ones Node Feature Discovery and the NVIDIA GPU operator publish; override them per cluster.
 */
export const COCO_RUNTIME_CLASSES: readonly RuntimeClassProfile[] = Object.freeze([
  { name: 'kata-qemu-nvidia-gpu-snp', tee: 'sev-snp', gpu: 'cc', gpuResource: 'nvidia.com/pgpu', nodeRequirements: [SNP_NODE, GPU_CC_NODE] },
  { name: 'kata-qemu-nvidia-gpu-tdx', tee: 'tdx', gpu: 'cc', gpuResource: 'nvidia.com/pgpu', nodeRequirements: [TDX_NODE, GPU_CC_NODE] },
  { name: 'kata-qemu-snp', tee: 'sev-snp', gpu: 'none', nodeRequirements: [SNP_NODE] },
  { name: 'kata-qemu-tdx', tee: 'tdx', gpu: 'none', nodeRequirements: [TDX_NODE] },
]);

/** The cluster's default runtime with the NVIDIA device plugin: de-identified and public data only. */
export const STANDARD_GPU_RUNTIME: RuntimeClassProfile = Object.freeze({ tee: 'none', gpu: 'plain', gpuResource: 'nvidia.com/gpu' });

/**
 * Runtime classes that exist in CoCo installs but give no confidentiality: `kata-qemu-coco-dev`
 * runs the CoCo stack without a TEE, `kata-qemu-nvidia-gpu` starts GPUs outside CC mode. A
 * profile that names one of these with a TEE is a configuration error.
 */
export const NON_CONFIDENTIAL_RUNTIME_CLASSES: ReadonlySet<string> = new Set(['runc', 'kata', 'kata-qemu', 'kata-clh', 'kata-qemu-coco-dev', 'kata-qemu-nvidia-gpu']);

/** Is this profile a confidential runtime for a job with `gpuCount` GPUs (PHI needs it)? */
export function isConfidentialFor(profile: RuntimeClassProfile, gpuCount: number): boolean {
  if (profile.name === undefined || profile.tee === 'none' || NON_CONFIDENTIAL_RUNTIME_CLASSES.has(profile.name)) return false;
  return gpuCount === 0 || profile.gpu === 'cc';
}

/** Can this profile run a job with `gpuCount` GPUs at all? */
export function canRun(profile: RuntimeClassProfile, gpuCount: number): boolean {
  return gpuCount === 0 || profile.gpu !== 'none';
}
