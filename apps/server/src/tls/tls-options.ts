import { readFileSync, watch, type FSWatcher } from 'node:fs';
import type { SecureContextOptions } from 'node:tls';

/** The certificate files a server uses; `clientCa` turns on optional mutual TLS for agents. */
export interface TlsFiles {
  readonly cert: string;
  readonly key: string;
  /** CA bundle for client certificates (agents); clients without one still connect. */
  readonly clientCa?: string;
}

/** TLS 1.3 only (RFC 8446; NIST SP 800-52r2 allows 1.2, we do not): HIPAA §164.312(e)(1) transmission security. */
export const TLS_MIN_VERSION = 'TLSv1.3' as const;

export function readTlsOptions(files: TlsFiles): SecureContextOptions & { requestCert: boolean; rejectUnauthorized: boolean; minVersion: typeof TLS_MIN_VERSION } {
  return {
    minVersion: TLS_MIN_VERSION,
    cert: readFileSync(files.cert),
    key: readFileSync(files.key),
    ...(files.clientCa === undefined ? {} : { ca: readFileSync(files.clientCa) }),
    requestCert: files.clientCa !== undefined,
    // Optional mTLS: the route layer checks request.socket.authorized for agent routes.
    rejectUnauthorized: false,
  };
}

/**
 * Production: operator-supplied certificates, reloaded when a file changes (certificate renewal
 * without restart). `apply` receives fresh options (`server.setSecureContext`). Returns a stopper.
 */
export function watchTlsFiles(files: TlsFiles, apply: (options: SecureContextOptions) => void, onError: (error: unknown) => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  const reload = (): void => {
    clearTimeout(timer);
    // Renewal tools write cert and key one after the other: wait for both.
    timer = setTimeout(() => {
      try {
        apply(readTlsOptions(files));
      } catch (error) {
        onError(error);
      }
    }, 200);
  };
  const watchers: FSWatcher[] = [files.cert, files.key].map((f) => watch(f, reload));
  return () => {
    clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}
