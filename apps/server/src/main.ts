/**
 * The server process (`npm start`, or `node apps/server/dist/main.mjs` in a release): reads the
 * configuration, prepares the database (PGlite in DATA_DIR by default), starts a local SMTP sink
 * in development when no SMTP_URL is set, seeds demo data when asked, and runs its role
 * (SERVER_ROLE): `web` listens for HTTP, `worker` runs the background work (evidence jobs,
 * clean-ups, database metrics) behind a health-only listener, `all` does both. Prints the URLs,
 * and shuts down gracefully on SIGTERM/SIGINT: stop accepting, end event streams, let in-flight
 * requests and the running job finish (up to SHUTDOWN_GRACE_MS), close the pools.
 */

// What only one role or development uses is imported when it is needed (a chunk of its own in
// the release bundle): a worker never loads the HTTP app (OIDC provider, routes), a web instance
// never loads the background work, and production never loads the demo data or dev servers.
import type { Background } from './background/background';
import { ConfigError, loadConfig } from './config/load';
import { createDeps } from './deps';
import type { startRegistrySimulator } from './dev/registry-simulator';
import type { startSmtpSink } from './dev/smtp-sink';
import type { buildApp } from './http/app';
import { explainListenError, ListenError } from './http/listen';
import { startMetricsListener } from './http/metrics-listener';
import { Outbox } from './ports/outbox';

/** Runs `listen`, turning a busy or forbidden port into one clear line. */
async function listening<T>(what: () => Promise<T>, address: string, variable: string): Promise<T> {
  try {
    return await what();
  } catch (error) {
    throw explainListenError(error, address, variable);
  }
}

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }

  const outbox = new Outbox();
  let sink: Awaited<ReturnType<typeof startSmtpSink>> | undefined;
  if (!config.mail.smtpUrl && config.devOutbox) {
    const smtpPort = Number(process.env.DEV_SMTP_PORT ?? 2525);
    const { startSmtpSink } = await import('./dev/smtp-sink');
    sink = await listening(() => startSmtpSink(outbox, smtpPort), `127.0.0.1:${smtpPort}`, 'DEV_SMTP_PORT');
    config = loadConfig({ ...process.env, SMTP_URL: sink.url });
  }
  let registrySimulator: Awaited<ReturnType<typeof startRegistrySimulator>> | undefined;
  if (!config.registry.url && config.env !== 'production') {
    const { startRegistrySimulator } = await import('./dev/registry-simulator');
    registrySimulator = await startRegistrySimulator({ port: Number(process.env.DEV_REGISTRY_PORT ?? 0) });
    config = loadConfig({
      ...process.env,
      ...(config.mail.smtpUrl ? { SMTP_URL: config.mail.smtpUrl } : {}),
      CIVIL_REGISTRY_URL: registrySimulator.url,
    });
  }
  // The role's code is imported after createDeps, not alongside it: compiling it blocks the event
  // loop for long enough on a loaded machine that the pool's first connection then missed its
  // connect timeout (DATABASE_CONNECT_TIMEOUT_MS, 1 s) and the instance failed to start.
  const deps = await createDeps(config, { outbox });
  for (const warning of config.warnings) deps.logger.warn(warning);
  const web = config.role.web;
  if (web && config.demoData) await (await import('./dev/demo-data')).seedDemoData(deps);
  const devDemo = web && config.demoData && config.env !== 'production';
  const sandbox = devDemo ? await (await import('./dev/sandbox')).seedSandbox(deps) : undefined;
  const officers = devDemo ? await (await import('./dev/demo-officers')).seedDemoOfficers(deps) : undefined;

  // The web app starts the evidence worker itself in the `all` role; the worker role runs it here.
  const app: { fastify: Awaited<ReturnType<typeof buildApp>>['fastify']; endStreams?: () => void } = web
    ? await (await import('./http/app')).buildApp(deps)
    : await (await import('./http/worker-app')).buildWorkerApp(deps);
  const background: Background | undefined = config.role.worker
    ? await (await import('./background/background')).startBackground(deps, {
        evidence: !web && config.jobs.evidenceWorker,
        notifications: !web,
      })
    : undefined;
  const address = await listening(
    () => app.fastify.listen({ host: config.http.host, port: config.http.port }),
    `${config.http.host}:${config.http.port}`,
    'PORT',
  );
  const tls = web ? await import('./client-api/tls-listener') : undefined;
  const clientApiTls = tls
    ? await listening(
        () => tls.startClientApiTls(app.fastify, deps),
        `${config.http.host}:${config.clientApi.tlsPort}`,
        'CLIENT_API_TLS_PORT',
      )
    : undefined;
  const metrics = await startMetricsListener(deps);

  const base = config.http.publicUrl;
  const lines = web
    ? [
        '',
        `CamDigiKey identity server is running (role ${config.role.name})`,
        `  listening       ${address}`,
        `  public URL      ${base}`,
        `  device API      ${base}/api/device/v1/registration`,
        `  health          ${base}/healthz  ${base}/readyz`,
        `  citizen app     ${base}/app/  (the CamDigiKey app, a PWA: open it on a phone at this origin)`,
        `  officer console ${base}/console/${officers ? `  (demo sign-ins: ${officers})` : ''}`,
      ]
    : [
        '',
        'CamDigiKey worker is running (role worker)',
        `  health          ${address}/healthz  ${address}/readyz`,
      ];
  lines.push(
    `  database        ${deps.dbKind === 'pglite' ? `PGlite in ${config.database.dataDir}/pglite` : 'PostgreSQL'}`,
    `  hot state       ${deps.hot.kind}`,
  );
  if (config.role.worker)
    lines.push(
      `  background      ${config.jobs.evidenceWorker ? 'evidence jobs, ' : ''}SMS and e-mail, clean-ups, database metrics`,
    );
  if (metrics)
    lines.push(
      `  metrics         http://${config.metrics.host}:${metrics.port}/metrics  (Prometheus, not public)`,
    );
  if (web && config.devOutbox)
    lines.push(`  dev outbox      ${base}/dev/outbox   (SMS and e-mail sent in development)`);
  if (clientApiTls)
    lines.push(`  client API      https://${config.http.host}:${clientApiTls.port}/api/v3.0/  (mutual TLS)`);
  if (sandbox)
    lines.push(
      `  sandbox RP      ${sandbox}/  (client-api.env, oidc.env, PKCS#12 files)`,
      '                  approve a waiting login without a phone: npx camdigikey-device approve',
    );
  if (sink) lines.push(`  SMTP sink       ${sink.url}`);
  if (registrySimulator)
    lines.push(`  civil registry  ${registrySimulator.url}   (simulator, synthetic citizens)`);
  if (config.env !== 'production')
    lines.push(`  admin token     ADMIN_TOKEN in ${config.database.dataDir}/dev-secrets.json`);
  deps.logger.info({ address, role: config.role.name }, 'listening');
  console.log(lines.join('\n'));

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    deps.logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      deps.logger.error('graceful shutdown timed out');
      process.exit(1);
    }, config.http.shutdownGraceMs);
    force.unref();
    app.endStreams?.();
    await clientApiTls?.close();
    await app.fastify.close(); // stops accepting, waits for in-flight requests
    await background?.stop(); // lets the running job finish
    await metrics?.close();
    await deps.close();
    await sink?.close();
    await registrySimulator?.close();
    clearTimeout(force);
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof ListenError) console.error(error.message);
  else console.error(error);
  process.exit(1);
});
