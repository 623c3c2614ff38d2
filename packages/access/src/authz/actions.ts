/** Every action in policies/schema.cedarschema, one per route kind (issue 7). A test keeps them in step. */
export const ACTIONS = [
  'dataset.read', 'dataset.write', 'dataset.reidentify', 'reid.request', 'reid.approve', 'job.run', 'job.read', 'job.cancel', 'model.read', 'model.deploy',
  'key.read', 'key.manage', 'key.use', 'audit.read', 'audit.verify', 'report.read', 'report.generate', 'user.read', 'user.manage', 'apikey.manage',
  'grant.read', 'grant.create', 'grant.revoke', 'breakglass.start', 'breakglass.review',
] as const;

export type Action = (typeof ACTIONS)[number];

export function isAction(value: unknown): value is Action {
  return typeof value === 'string' && (ACTIONS as readonly string[]).includes(value);
}

/** Cedar entity types of resources, with the audit ledger's resource type for each. */
export const RESOURCE_TYPES = {
  Dataset: 'dataset',
  DatasetVersion: 'dataset-version',
  Job: 'job',
  Model: 'model',
  Key: 'key',
  AuditLog: 'audit-log',
  Report: 'report',
  User: 'user',
  ServiceAccount: 'service-account',
  Grant: 'grant',
  BreakGlass: 'break-glass',
} as const;

export type ResourceType = keyof typeof RESOURCE_TYPES;

/** The resource type each action applies to first (the matrix and the routes use it). */
export const ACTION_RESOURCE: Readonly<Record<Action, ResourceType>> = {
  'dataset.read': 'Dataset', 'dataset.write': 'Dataset', 'dataset.reidentify': 'Dataset', 'reid.request': 'Dataset', 'reid.approve': 'Dataset', 'job.run': 'Dataset',
  'job.read': 'Job', 'job.cancel': 'Job', 'model.read': 'Model', 'model.deploy': 'Model', 'key.read': 'Key', 'key.manage': 'Key', 'key.use': 'Key',
  'audit.read': 'AuditLog', 'audit.verify': 'AuditLog', 'report.read': 'Report', 'report.generate': 'Report', 'user.read': 'User',
  'user.manage': 'User', 'apikey.manage': 'ServiceAccount', 'grant.read': 'Grant', 'grant.create': 'Dataset', 'grant.revoke': 'Grant',
  'breakglass.start': 'Dataset', 'breakglass.review': 'BreakGlass',
};
