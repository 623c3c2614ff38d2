import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BaseError } from './errors.ts';
import { validateAttestationConfig, type AttestationConfig } from './compute-attestation-config.ts';
import { validateKubernetesComputeConfig, type KubernetesComputeConfig } from './compute-kubernetes-config.ts';
import { validateLinkageConfig, type LinkageConfig } from './linkage-config.ts';
import { validateSiemConfig, type SiemSinkConfig } from './siem-config.ts';

export type ConfigErrorCode = 'config-unreadable' | 'config-invalid';
export class ConfigError extends BaseError<ConfigErrorCode> {}

/** Where the database lives: the embedded PGlite folder or a PostgreSQL server. */
export type DatabaseConfig = { readonly kind: 'pglite'; readonly dataDir: string } | { readonly kind: 'postgres'; readonly url: string };

export interface ServerConfig {
  readonly host: string;
  readonly port: number;
}

export interface LedgerConfig {
  /** How long the first event of an idle ledger waits for company before its batch starts (0: the next event-loop turn). */
  readonly maxBatchDelayMs: number;
  readonly maxBatchSize: number;
  /** Origin line of checkpoints (C2SP tlog-checkpoint), e.g. `phiguard.example.org/audit`. */
  readonly origin: string;
}

/** The one configuration value of a process: built once in the composition root, frozen, passed in. */
export interface PhiguardConfig {
  /** Home of embedded state (PGlite, keystore, blobs): `./.phiguard` by default. */
  readonly home: string;
  readonly database: DatabaseConfig;
  readonly server: ServerConfig;
  readonly ledger: LedgerConfig;
  /** SIEM sinks the server ships the ledger to; empty by default. */
  readonly siem: readonly SiemSinkConfig[];
  /** TEE verifier policies and collateral files for job dispatch (docs/compute/attestation.md); absent: insecure-local only. */
  readonly attestation?: AttestationConfig;
  /** Job backends: `kubernetes` turns queued jobs into Kubernetes Jobs (docs/compute/kubernetes.md). */
  readonly compute?: { readonly kubernetes?: KubernetesComputeConfig };
  /** Time limits of re-identification requests (docs/reidentification.md); absent: the linkage vault's defaults. */
  readonly linkage?: LinkageConfig;
}

export interface LoadConfigOptions {
  /** Working directory that relative paths resolve against. */
  readonly cwd: string;
  /** The process environment; only `PHIGUARD_*` variables are read. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** A JSON config file; `PHIGUARD_CONFIG` names one when this is absent. */
  readonly file?: string;
  /** Values from command-line flags; they win over file and environment. */
  readonly overrides?: DeepPartial<PhiguardConfig>;
}

export type DeepPartial<T> = { readonly [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/**
 * Builds the configuration from defaults, then a JSON file, then `PHIGUARD_*` environment
 * variables, then explicit overrides; validates it and returns it frozen. The only place that
 * reads the environment (ARCHITECTURE §3.2).
 */
export function loadConfig(options: LoadConfigOptions): PhiguardConfig {
  const { cwd, env } = options;
  const home = path.resolve(cwd, env.PHIGUARD_HOME ?? '.phiguard');
  const fileName = options.file ?? env.PHIGUARD_CONFIG;
  const fromFile = fileName === undefined ? {} : readConfigFile(path.resolve(cwd, fileName));
  const fromEnv = configFromEnv(env);
  const merged = mergeAll([defaults(home), fromFile, fromEnv, options.overrides ?? {}]);
  return deepFreeze(validate(merged, cwd));
}

function defaults(home: string): Record<string, unknown> {
  return {
    home,
    database: { kind: 'pglite', dataDir: path.join(home, 'db') },
    server: { host: '127.0.0.1', port: 8443 },
    // No linger by default: events that arrive while a batch commits already share the next one,
    // and a timer on an idle ledger only added its length to every request (docs/audit.md).
    ledger: { maxBatchDelayMs: 0, maxBatchSize: 4096, origin: 'phiguard.local/audit' },
    siem: [],
  };
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ConfigError('config-unreadable', 'cannot read the config file', {
      cause,
      place: { file },
      hint: 'check the path given by --config or PHIGUARD_CONFIG',
    });
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (!isRecord(parsed)) throw new TypeError('top level is not an object');
    return parsed;
  } catch (cause) {
    throw new ConfigError('config-invalid', 'the config file is not a JSON object', { cause, place: { file } });
  }
}

function configFromEnv(env: LoadConfigOptions['env']): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (env.PHIGUARD_DATABASE_URL !== undefined) {
    out.database = env.PHIGUARD_DATABASE_URL.startsWith('postgres')
      ? { kind: 'postgres', url: env.PHIGUARD_DATABASE_URL }
      : { kind: 'pglite', dataDir: env.PHIGUARD_DATABASE_URL };
  }
  const server: Record<string, unknown> = {};
  if (env.PHIGUARD_HOST !== undefined) server.host = env.PHIGUARD_HOST;
  if (env.PHIGUARD_PORT !== undefined) server.port = Number(env.PHIGUARD_PORT);
  if (Object.keys(server).length > 0) out.server = server;
  if (env.PHIGUARD_LEDGER_ORIGIN !== undefined) out.ledger = { origin: env.PHIGUARD_LEDGER_ORIGIN };
  return out;
}

function validate(raw: Record<string, unknown>, cwd: string): PhiguardConfig {
  const problems: string[] = [];
  const home = raw.home;
  const database = raw.database;
  const server = raw.server;
  const ledger = raw.ledger;
  if (typeof home !== 'string' || home === '') problems.push('home must be a path');
  let db: DatabaseConfig | undefined;
  if (isRecord(database) && database.kind === 'pglite' && typeof database.dataDir === 'string') {
    db = { kind: 'pglite', dataDir: path.resolve(cwd, database.dataDir) };
  } else if (
    isRecord(database) &&
    database.kind === 'postgres' &&
    typeof database.url === 'string' &&
    /^postgres(ql)?:\/\//.test(database.url)
  ) {
    db = { kind: 'postgres', url: database.url };
  } else {
    problems.push('database must be {kind:"pglite",dataDir} or {kind:"postgres",url:"postgres://..."}');
  }
  if (!isRecord(server) || typeof server.host !== 'string' || !isPort(server.port)) problems.push('server needs a host and a port 0-65535');
  if (
    !isRecord(ledger) ||
    !isPositiveInt(ledger.maxBatchDelayMs, true) ||
    !isPositiveInt(ledger.maxBatchSize, false) ||
    typeof ledger.origin !== 'string' ||
    !/^[\x21-\x7e]+$/.test(ledger.origin)
  ) {
    problems.push('ledger needs maxBatchDelayMs >= 0, maxBatchSize >= 1 and an origin without spaces');
  }
  const siem = validateSiemConfig(raw.siem, cwd, problems);
  const attestation = validateAttestationConfig(raw.attestation, cwd, problems);
  if (raw.compute !== undefined && !isRecord(raw.compute)) problems.push('compute must be an object');
  const kubernetes = validateKubernetesComputeConfig(isRecord(raw.compute) ? raw.compute.kubernetes : undefined, cwd, problems);
  const linkage = validateLinkageConfig(raw.linkage, problems);
  if (problems.length > 0 || db === undefined || !isRecord(server) || !isRecord(ledger)) {
    throw new ConfigError('config-invalid', `invalid configuration: ${problems.join('; ')}`);
  }
  return {
    home: home as string,
    database: db,
    server: { host: server.host as string, port: server.port as number },
    ledger: {
      maxBatchDelayMs: ledger.maxBatchDelayMs as number,
      maxBatchSize: ledger.maxBatchSize as number,
      origin: ledger.origin as string,
    },
    siem,
    ...(attestation === undefined ? {} : { attestation }),
    ...(kubernetes === undefined ? {} : { compute: { kubernetes } }),
    ...(linkage === undefined ? {} : { linkage }),
  };
}

function isPort(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 65535;
}

function isPositiveInt(v: unknown, zeroOk: boolean): boolean {
  return typeof v === 'number' && Number.isInteger(v) && (zeroOk ? v >= 0 : v >= 1);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function mergeAll(layers: readonly Record<string, unknown>[]): Record<string, unknown> {
  return layers.reduce<Record<string, unknown>>((acc, layer) => merge(acc, layer), {});
}

function merge(base: Record<string, unknown>, top: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(top)) {
    if (value === undefined) continue;
    const current = out[key];
    // A database layer replaces the whole choice (kind decides which fields apply).
    out[key] = key !== 'database' && isRecord(current) && isRecord(value) ? merge(current, value) : value;
  }
  return out;
}

/** Freezes a value and everything it holds. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
