export { buildServer, REDACT_PATHS, type ServerDeps } from './build-server.ts';
export type { AccessServices, DatasetCatalog } from './http/access-services.ts';
export type { RemoteServices } from './http/remote-services.ts';
export { ByteReader } from './http/byte-reader.ts';
export { FILES_MEDIA_TYPE } from './routes/dataset-routes.ts';
export { MAX_ENTRIES_PER_READ } from './routes/audit-routes.ts';
export { problemFor, type Problem } from './http/problem.ts';
export { ensureLocalTls, localTlsFiles, readLocalCa, type LocalTlsFiles } from './tls/local-ca.ts';
export { readTlsOptions, TLS_MIN_VERSION, watchTlsFiles, type TlsFiles } from './tls/tls-options.ts';
