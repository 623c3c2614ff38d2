export { buildServer, type ServerDeps } from './build-server.ts';
