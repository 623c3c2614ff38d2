// The Kubernetes backend (`@phiguard/compute/kubernetes`): a separate entry point, so that only
// deployments that use it load `@kubernetes/client-node`.
export {
  ANNOTATION_INSECURE,
  ANNOTATION_SPEC_SHA256,
  ANNOTATION_TEE,
  jobSelector,
  kubernetesJobName,
  LABEL_ATTEMPT,
  LABEL_CLASSIFICATION,
  LABEL_JOB_ID,
  MANAGED_SELECTOR,
  specDigest,
} from './job-labels.ts';
export { buildJobManifest, type BuiltJob, type KubernetesJobRequest } from './job-manifest.ts';
export {
  DEFAULT_GPU_PRODUCT_LABELS,
  resolveManifestOptions,
  type AgentCredentials,
  type JobManifestOptions,
  type ResolvedManifestOptions,
} from './job-manifest-options.ts';
export { KUBERNETES_PHASES, observeJob, reasonCode, type KubernetesJobObservation, type KubernetesPhase } from './job-observation.ts';
export type { JobWatch, JobWatchOptions } from './job-watch.ts';
export { KubernetesJobBackend, type KubernetesJobBackendOptions, type SubmittedJob } from './kubernetes-job-backend.ts';
export {
  canRun,
  COCO_RUNTIME_CLASSES,
  isConfidentialFor,
  NON_CONFIDENTIAL_RUNTIME_CLASSES,
  STANDARD_GPU_RUNTIME,
  type RuntimeClassProfile,
} from './runtime-class-profile.ts';
export { KubernetesDispatch, type KubernetesDispatchOptions, type KubernetesJobs } from '../dispatch/kubernetes-dispatch.ts';
export { kubernetesDispatchFromConfig, runtimeClassProfile, type ConfiguredDispatchDeps } from './kubernetes-dispatch-from-config.ts';
