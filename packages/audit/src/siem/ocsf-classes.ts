/**
 * How PHIGuard actions map onto OCSF 1.3.0 classes and activities (docs/siem.md, "OCSF mapping").
 * An action is `<object>.<verb>`: the object picks the class, the last segment the activity.
 */
export interface OcsfClassification {
  readonly classUid: number;
  readonly className: string;
  readonly categoryUid: number;
  readonly categoryName: string;
  readonly activityId: number;
  readonly activityName: string;
}

interface ClassSpec {
  readonly classUid: number;
  readonly className: string;
  readonly categoryUid: number;
  readonly categoryName: string;
  /** verb → [activity_id, activity_name]; anything else is 99 Other. */
  readonly activities: Readonly<Record<string, readonly [number, string]>>;
}

const IAM = { categoryUid: 3, categoryName: 'Identity & Access Management' } as const;

/** OCSF 3002 Authentication. */
const AUTHENTICATION: ClassSpec = {
  classUid: 3002,
  className: 'Authentication',
  ...IAM,
  activities: {
    login: [1, 'Logon'],
    logon: [1, 'Logon'],
    logout: [2, 'Logoff'],
    logoff: [2, 'Logoff'],
    issue: [3, 'Authentication Ticket'],
  },
};

/** OCSF 3001 Account Change. */
const ACCOUNT_CHANGE: ClassSpec = {
  classUid: 3001,
  className: 'Account Change',
  ...IAM,
  activities: {
    create: [1, 'Create'],
    enable: [2, 'Enable'],
    'password-change': [3, 'Password Change'],
    'password-reset': [4, 'Password Reset'],
    disable: [5, 'Disable'],
    delete: [6, 'Delete'],
    grant: [7, 'Attach Policy'],
    revoke: [8, 'Detach Policy'],
    lock: [9, 'Lock'],
    'mfa-enable': [10, 'MFA Factor Enable'],
    'mfa-disable': [11, 'MFA Factor Disable'],
  },
};

/** OCSF 3004 Entity Management. */
const ENTITY_MANAGEMENT: ClassSpec = {
  classUid: 3004,
  className: 'Entity Management',
  ...IAM,
  activities: {
    create: [1, 'Create'],
    generate: [1, 'Create'],
    register: [1, 'Create'],
    read: [2, 'Read'],
    export: [2, 'Read'],
    update: [3, 'Update'],
    rotate: [3, 'Update'],
    rewrap: [3, 'Update'],
    delete: [4, 'Delete'],
    destroy: [4, 'Delete'],
    shred: [4, 'Delete'],
    move: [5, 'Move'],
    rename: [5, 'Move'],
    enroll: [6, 'Enroll'],
    unenroll: [7, 'Unenroll'],
    enable: [8, 'Enable'],
    disable: [9, 'Disable'],
    activate: [10, 'Activate'],
    deactivate: [11, 'Deactivate'],
    suspend: [12, 'Suspend'],
    resume: [13, 'Resume'],
  },
};

/** OCSF 6003 API Activity (category 6 Application Activity): data-plane work. */
const API_ACTIVITY: ClassSpec = {
  classUid: 6003,
  className: 'API Activity',
  categoryUid: 6,
  categoryName: 'Application Activity',
  activities: {
    create: [1, 'Create'],
    write: [1, 'Create'],
    import: [1, 'Create'],
    ingest: [1, 'Create'],
    upload: [1, 'Create'],
    read: [2, 'Read'],
    get: [2, 'Read'],
    list: [2, 'Read'],
    search: [2, 'Read'],
    export: [2, 'Read'],
    download: [2, 'Read'],
    update: [3, 'Update'],
    delete: [4, 'Delete'],
    destroy: [4, 'Delete'],
    purge: [4, 'Delete'],
  },
};

const CLASS_BY_OBJECT: Readonly<Record<string, ClassSpec>> = {
  auth: AUTHENTICATION,
  session: AUTHENTICATION,
  mfa: AUTHENTICATION,
  token: AUTHENTICATION,
  user: ACCOUNT_CHANGE,
  account: ACCOUNT_CHANGE,
  principal: ACCOUNT_CHANGE,
  apikey: ACCOUNT_CHANGE,
  key: ENTITY_MANAGEMENT,
  policy: ENTITY_MANAGEMENT,
  role: ENTITY_MANAGEMENT,
  node: ENTITY_MANAGEMENT,
  provider: ENTITY_MANAGEMENT,
  config: ENTITY_MANAGEMENT,
  retention: ENTITY_MANAGEMENT,
  'legal-hold': ENTITY_MANAGEMENT,
  sink: ENTITY_MANAGEMENT,
  custodian: ENTITY_MANAGEMENT,
};

/** The OCSF class and activity for a dotted action such as `dataset.read` or `key.destroy`. */
export function classifyAction(action: string): OcsfClassification {
  const segments = action.split('.');
  const spec = CLASS_BY_OBJECT[segments[0] ?? ''] ?? API_ACTIVITY;
  const [activityId, activityName] = spec.activities[segments[segments.length - 1] ?? ''] ?? [99, 'Other'];
  return {
    classUid: spec.classUid,
    className: spec.className,
    categoryUid: spec.categoryUid,
    categoryName: spec.categoryName,
    activityId,
    activityName,
  };
}

/** Every constant string the mapping can emit (for tests proving nothing else is added). */
export const OCSF_MAPPING_STRINGS: ReadonlySet<string> = new Set(
  [AUTHENTICATION, ACCOUNT_CHANGE, ENTITY_MANAGEMENT, API_ACTIVITY].flatMap((s) => [
    s.className,
    s.categoryName,
    'Other',
    ...Object.values(s.activities).map(([, name]) => name),
    ...['Other', ...Object.values(s.activities).map(([, name]) => name)].map((name) => `${s.className}: ${name}`),
  ]),
);
