import type { Server as TlsServer } from 'node:tls';
import type { Command } from 'commander';
import type { TlsFiles } from '@phiguard/server';
import { systemClock } from '@phiguard/core';
import type { CliContext } from '../context.ts';

export function registerServe(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('Start the PHIGuard HTTPS server with the configured (default: embedded) stores')
    .option('--demo', 'load a small demo into the embedded stores and print what it did')
    .option('--port <n>', 'port to listen on (default 8443; 0 picks a free one)', (v) => Number(v))
    .addHelpText(
      'after',
      `
TLS: embedded mode creates a local CA and a server certificate under <home>/tls on first start
(the CLI trusts that CA). Production: PHIGUARD_TLS_CERT and PHIGUARD_TLS_KEY (PEM files, reloaded
when they change), PHIGUARD_TLS_CLIENT_CA for optional mutual TLS with agents.

Examples:
  $ phiguard serve --demo
  $ PHIGUARD_DATABASE_URL=postgres://127.0.0.1/phiguard PHIGUARD_TLS_CERT=/etc/phiguard/tls.crt PHIGUARD_TLS_KEY=/etc/phiguard/tls.key phiguard serve --port 9443`,
    )
    .action(async (options: { demo?: boolean; port?: number }) => {
      const globals = program.opts<{ config?: string }>();
      const config = ctx.config(globals.config);
      // The server and its stores are imported when `serve` runs, not when any other command starts.
      const [
        { buildServer, ensureLocalTls, readTlsOptions, watchTlsFiles },
        { openConfiguredLedgerStore, openLedger },
        { runAuditDemo },
        { runDeidDemo },
        { runComputeDemo },
        { runLinkageDemo },
        { startAuditShipping },
        { bootstrapAdmin, buildAccessServices, openConfiguredAccessStore, serveAccessOptions },
        { openRemoteServices },
        { serveJobs },
      ] = await Promise.all([
        import('@phiguard/server'),
        import('@phiguard/audit'),
        import('../audit/audit-demo.ts'),
        import('../deid/deid-demo.ts'),
        import('../serve/compute-demo.ts'),
        import('../serve/linkage-demo.ts'),
        import('../serve/audit-shipping.ts'),
        import('../remote/serve-access.ts'),
        import('../remote/serve-remote.ts'),
        import('../serve/serve-jobs.ts'),
      ]);
      // The demo opens and closes the embedded ledger itself: run it before the server holds it.
      if (options.demo === true) {
        await runAuditDemo(config, systemClock, ctx.stdout);
        runDeidDemo(ctx.stdout);
        runComputeDemo(ctx.stdout, systemClock);
        await runLinkageDemo(ctx.stdout, systemClock);
      }
      const operatorCert = ctx.env.PHIGUARD_TLS_CERT;
      const operatorKey = ctx.env.PHIGUARD_TLS_KEY;
      const clientCa = ctx.env.PHIGUARD_TLS_CLIENT_CA;
      const embedded = operatorCert === undefined || operatorKey === undefined;
      const local = embedded ? ensureLocalTls(config.home) : undefined;
      const tlsFiles: TlsFiles = {
        cert: local?.serverCert ?? operatorCert ?? '',
        key: local?.serverKey ?? operatorKey ?? '',
        ...(clientCa === undefined ? {} : { clientCa }),
      };
      const ledgerStore = await openConfiguredLedgerStore(config.database);
      const ledger = await openLedger({ config, clock: systemClock, store: ledgerStore });
      // SIEM shipping (config `siem`): the ledger is the source, its store keeps each sink's cursor.
      const shipping = startAuditShipping({
        config,
        source: ledger,
        cursors: ledgerStore,
        secretEnv: (name) => ctx.env[name],
        log: (line) => ctx.stderr.write(`${line}\n`),
      });
      const store = await openConfiguredAccessStore(config);
      const access = await buildAccessServices(store, systemClock, ledger, serveAccessOptions(config, ctx, options.port));
      const adminPassword = await bootstrapAdmin(access);
      const remote = await openRemoteServices(config, ctx, ledger, ledgerStore, systemClock);
      // Job dispatch (and, with compute.kubernetes.enabled, Kubernetes Jobs: docs/compute/kubernetes.md)
      // once the keystore is open: at start, or when custodians open it while the server runs.
      const compute = await serveJobs(config, ctx.env, remote, ledger, (line) => ctx.stderr.write(`${line}\n`));
      const app = buildServer({
        version: ctx.version,
        isReady: () => Promise.resolve(true),
        access,
        remote: remote.services,
        ...(remote.catalog === undefined ? {} : { datasets: remote.catalog }),
        ...(remote.linkage === undefined ? {} : { linkage: remote.linkage }),
        jobs: compute.jobs,
        https: readTlsOptions(tlsFiles),
        logStream: ctx.stderr,
        onClose: async () => {
          await shipping?.stop();
          await compute.close();
          await remote.close();
          await store.close();
          await ledger.close();
        },
      });
      const address = await app.listen({ host: config.server.host, port: options.port ?? config.server.port });
      ctx.stdout.write(`PHIGuard ${ctx.version} listening on ${address}\n`);
      ctx.stdout.write(`data folder: ${config.home}\n`);
      for (const note of remote.notes) ctx.stdout.write(`${note}\n`);
      for (const note of compute.notes()) ctx.stdout.write(`${note}\n`);
      if (shipping !== undefined) ctx.stdout.write(`audit: shipping to SIEM sinks ${shipping.sinkIds.join(', ')}\n`);
      if (local !== undefined) ctx.stdout.write(`TLS: local CA ${local.caCert} (the CLI trusts it)\n`);
      if (adminPassword !== undefined) {
        ctx.stdout.write(
          `first start: user admin, password ${adminPassword} (shown once; \`phiguard login --username admin --server ${address}\` enrols TOTP)\n`,
        );
      }
      const stopWatching = embedded
        ? () => undefined
        : watchTlsFiles(
            tlsFiles,
            (o) => {
              (app.server as unknown as TlsServer).setSecureContext(o);
            },
            () => {
              ctx.stderr.write('TLS reload failed; keeping the previous certificate\n');
            },
          );
      const stop = (): void => {
        stopWatching();
        // Fastify finishes in-flight requests, then onClose closes the store and flushes the ledger.
        void app.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
