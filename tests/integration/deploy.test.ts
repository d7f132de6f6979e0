/**
 * The deployment files checked against the release, since no container engine can pull base
 * images here: the Dockerfile (Node 22, multi-stage, non-root, exec-form entry point on a file
 * the build produces, HEALTHCHECK, the ports it sets), compose.yaml (PostgreSQL, Redis, two web,
 * one worker, HAProxy; every variable the server requires is set and loads), the HAProxy
 * configuration (haproxy -c; its servers are the compose services on their PORT), and the
 * Kustomize manifests rendered by `kubectl kustomize` when kubectl is installed (probes on the
 * server's health routes and port, a PDB and an HPA on the web Deployment, resources, a
 * read-only root file system, secrets from a Secret, a configuration that loads).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@camdigikey/server/config/load';
import { SECRET_FACTORIES } from '@camdigikey/server/config/secrets';
import { Metrics } from '@camdigikey/server/observability/metrics';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { buildAll } from '../../scripts/build.mjs';
import { copyOf, dockerStages } from '../support/dockerfile';

const root = join(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const secrets = () => Object.fromEntries(Object.entries(SECRET_FACTORIES).map(([k, make]) => [k, make?.()]));
const has = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

beforeAll(async () => {
  await buildAll({ ifStale: true, quiet: true });
}, 400_000);

describe('Dockerfile', () => {
  const text = read('Dockerfile');
  const stages = dockerStages(text);
  const runtime = stages.at(-1)!;
  const steps = (op: string) => runtime.steps.filter((s) => s.op === op);

  it('builds in one stage and runs on Node 22 LTS in another', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(text).toMatch(/^ARG NODE_IMAGE=node:22\.[\d.]+-bookworm-slim$/m);
    // Every stage is FROM the one pinned Node image (the build argument NODE_IMAGE).
    expect(stages.every((s) => /^\$\{NODE_IMAGE\}$/.test(s.from))).toBe(true);
    expect(stages[0]?.steps.some((s) => s.op === 'RUN' && s.args.includes('scripts/build.mjs'))).toBe(true);
    expect(steps('RUN').some((s) => /npm ci --omit=dev/.test(s.args))).toBe(true);
  });

  it('starts the compiled server with node, in exec form, as a non-root user', () => {
    const [entry] = steps('ENTRYPOINT');
    const argv = JSON.parse(entry!.args) as string[];
    expect(argv[0]).toBe('node');
    const script = argv.find((a) => a.endsWith('.mjs'))!;
    expect(script).toBe('apps/server/dist/main.mjs');
    expect(existsSync(join(root, script))).toBe(true);
    expect(steps('USER')[0]?.args).toBe('node');
    expect(steps('STOPSIGNAL')[0]?.args).toBe('SIGTERM');
  });

  it('copies into the runtime only what the release build produced, and every one exists', () => {
    const copies = steps('COPY').filter((s) => s.args.startsWith('--from=build'));
    for (const copy of copies) {
      const sources = copy.args.split(/\s+/).slice(1, -1);
      for (const source of sources)
        expect(existsSync(join(root, source.replace(/^\/src\//, ''))), source).toBe(true);
    }
    const copied = copies.map((c) => c.args);
    for (const output of ['apps/server/dist', 'apps/console/dist', 'apps/wallet/dist', 'apps/login/public'])
      expect(copied.some((c) => c.includes(`/src/${output} `))).toBe(true);
  });

  it('gives npm every workspace of the repository in both stages (npm ci needs them all)', () => {
    const workspaces = (JSON.parse(read('package.json')) as { workspaces: string[] }).workspaces.flatMap(
      (pattern) =>
        pattern.endsWith('/*')
          ? readdirSync(join(root, pattern.slice(0, -2)), { withFileTypes: true })
              .filter(
                (d) =>
                  d.isDirectory() && existsSync(join(root, pattern.slice(0, -2), d.name, 'package.json')),
              )
              .map((d) => `${pattern.slice(0, -2)}/${d.name}`)
          : [pattern],
    );
    expect(workspaces.length).toBeGreaterThan(10);
    for (const stage of stages) {
      const copied = stage.steps
        .filter((s) => s.op === 'COPY')
        .flatMap((s) => copyOf(s).sources)
        .map((source) => source.replace(/^\/src\//, ''));
      const missing = workspaces.filter((w) => !copied.includes(`${w}/package.json`));
      // The build stage copies the whole tree later, but its `npm ci` runs before that.
      expect(missing, stage.name ?? stage.from).toEqual([]);
    }
  });

  it('checks health on the port it sets and exposes the HTTP and metrics ports', () => {
    const env = Object.fromEntries(
      [...steps('ENV')[0]!.args.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1], m[2]] as [string, string]),
    );
    expect(env.NODE_ENV).toBe('production');
    expect(steps('EXPOSE')[0]?.args.split(/\s+/).sort()).toEqual([env.PORT, env.METRICS_PORT].sort());
    expect(steps('HEALTHCHECK')[0]?.args).toMatch(/\/healthz/);
    // The image's settings plus a production secret set make a configuration that loads.
    expect(() => loadConfig({ ...env, ...secrets(), DATABASE_URL: 'postgres://db/x' })).not.toThrow();
  });
});

describe('compose.yaml', () => {
  const compose = parse(read('compose.yaml'), { merge: true }) as {
    services: Record<
      string,
      {
        image?: string;
        environment?: Record<string, string>;
        env_file?: { path: string }[];
        read_only?: boolean;
      }
    >;
  };
  const services = compose.services;
  const servers = Object.entries(services).filter(([, s]) => s.environment?.SERVER_ROLE);

  it('runs PostgreSQL, Redis, two web instances, one worker and a load balancer', () => {
    expect(services.postgres?.image).toMatch(/^postgres:/);
    expect(services.redis?.image).toMatch(/^redis:/);
    expect(services.lb?.image).toMatch(/^haproxy:/);
    expect(servers.filter(([, s]) => s.environment?.SERVER_ROLE === 'web')).toHaveLength(2);
    expect(servers.filter(([, s]) => s.environment?.SERVER_ROLE === 'worker')).toHaveLength(1);
  });

  it('sets every variable the server requires (secrets from the env file), and each loads', () => {
    for (const [name, s] of servers) {
      expect(s.env_file?.[0]?.path, name).toBe('deploy/secrets.env');
      expect(s.read_only, name).toBe(true);
      const env = s.environment as Record<string, string>;
      expect(env.DATABASE_URL).toMatch(/@postgres:5432\//);
      expect(env.REDIS_URL).toBe('redis://redis:6379');
      const config = loadConfig({ ...env, ...secrets() });
      expect(config.env).toBe('production');
      expect(config.http.trustProxy).toBe(true);
    }
  });

  it('has HAProxy send traffic to the web services on the port they listen on', () => {
    const cfg = read('deploy/haproxy/haproxy.cfg');
    const targets = [...cfg.matchAll(/^\s*server\s+\S+\s+([\w-]+):(\d+)/gm)].map((m) => [m[1], m[2]]);
    const webs = servers.filter(([, s]) => s.environment?.SERVER_ROLE === 'web');
    expect(targets.map(([host]) => host).sort()).toEqual(webs.map(([name]) => name).sort());
    for (const [host, port] of targets) expect(services[host as string]?.environment?.PORT).toBe(port);
    expect(cfg).toMatch(/option httpchk GET \/readyz/);
  });

  it.runIf(has('haproxy'))('has a HAProxy configuration HAProxy accepts', () => {
    const check = spawnSync('haproxy', ['-c', '-f', join(root, 'deploy/haproxy/haproxy.cfg')], {
      encoding: 'utf8',
    });
    expect(check.status, check.stderr).toBe(0);
  });
});

describe('Kubernetes (Kustomize)', () => {
  interface Container {
    name: string;
    env?: { name: string; value: string }[];
    envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
    ports: { name: string; containerPort: number }[];
    resources: { requests: Record<string, string>; limits: Record<string, string> };
    livenessProbe: { httpGet: { path: string; port: string } };
    readinessProbe: { httpGet: { path: string; port: string } };
    startupProbe: { httpGet: { path: string; port: string } };
    securityContext: { readOnlyRootFilesystem: boolean; allowPrivilegeEscalation: boolean };
  }
  // biome-ignore lint/suspicious/noExplicitAny: rendered manifests are checked field by field below.
  type Doc = { kind: string; metadata: { name: string }; spec: any; data?: Record<string, string> };
  let docs: Doc[] = [];

  beforeAll(() => {
    const rendered = has('kubectl')
      ? spawnSync('kubectl', ['kustomize', join(root, 'deploy/k8s')], { encoding: 'utf8' })
      : undefined;
    if (rendered) expect(rendered.status, rendered.stderr).toBe(0);
    const text = rendered
      ? rendered.stdout
      : (parse(read('deploy/k8s/kustomization.yaml')) as { resources: string[] }).resources
          .map((f) => read(`deploy/k8s/${f}`))
          .join('\n---\n');
    docs = parseAllDocuments(text).map((d) => d.toJS() as Doc);
  });
  const find = (kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata.name === name);

  it('runs web and worker Deployments of the one image with probes on the health routes', () => {
    const config = find('ConfigMap', 'camdigikey-config')!.data!;
    for (const [name, role] of [
      ['camdigikey-web', 'web'],
      ['camdigikey-worker', 'worker'],
    ] as const) {
      const c = find('Deployment', name)!.spec.template.spec.containers[0] as Container;
      expect(c.env?.find((e) => e.name === 'SERVER_ROLE')?.value).toBe(role);
      const http = c.ports.find((p) => p.name === 'http')!;
      expect(String(http.containerPort)).toBe(config.PORT);
      expect(String(c.ports.find((p) => p.name === 'metrics')?.containerPort)).toBe(config.METRICS_PORT);
      expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(c.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
      expect(c.resources.requests.memory).toBeTruthy();
      expect(c.resources.limits.memory).toBeTruthy();
      expect(c.securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
      });
      expect(c.envFrom?.map((e) => e.secretRef?.name).filter(Boolean)).toEqual(['camdigikey-secrets']);
      // The ConfigMap, the role and the Secret's keys make a configuration that loads.
      const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
      const loaded = loadConfig({ ...config, ...env, ...secrets(), DATABASE_URL: 'postgres://db/x' });
      expect(loaded.role.name).toBe(role);
    }
  });

  it('protects the web Deployment with a PodDisruptionBudget and scales it with an HPA', () => {
    const web = find('Deployment', 'camdigikey-web')!;
    const labels = web.spec.template.metadata.labels;
    const pdb = find('PodDisruptionBudget', 'camdigikey-web')!;
    expect(pdb.spec.selector.matchLabels).toEqual(web.spec.selector.matchLabels);
    for (const [k, v] of Object.entries(pdb.spec.selector.matchLabels)) expect(labels[k]).toBe(v);
    const hpa = find('HorizontalPodAutoscaler', 'camdigikey-web')!;
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'camdigikey-web' });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    const service = find('Service', 'camdigikey-web')!;
    expect(service.spec.selector).toEqual(web.spec.selector.matchLabels);
    expect(service.spec.ports[0].targetPort).toBe('http');
  });
});

describe('the Grafana dashboard', () => {
  it('charts only metrics the server exports', async () => {
    const dashboard = JSON.parse(read('deploy/grafana/camdigikey.json')) as {
      panels: { targets?: { expr: string }[] }[];
    };
    const used = new Set(
      dashboard.panels
        .flatMap((p) => p.targets ?? [])
        .flatMap((t) =>
          [...t.expr.matchAll(/\bcdk_\w+/g)].map((m) => m[0].replace(/_(bucket|count|sum)$/, '')),
        ),
    );
    expect(used.size).toBeGreaterThan(10);
    // Every process's metrics, and the worker role's database metrics (declared in sql-metrics.ts).
    const web = new Metrics({
      role: 'web',
      dbPool: () => ({ total: 1, idle: 1, waiting: 0, max: 10 }),
      pinPool: () => ({ threads: 1, maxThreads: 2, queued: 0, maxQueue: 1000, utilization: 0 }),
    });
    const exported = new Set((await web.registry.getMetricsAsJSON()).map((m) => m.name));
    const databaseMetrics = read('apps/server/src/observability/sql-metrics.ts');
    for (const name of used)
      expect(exported.has(name) || databaseMetrics.includes(`'${name}'`), name).toBe(true);
  });
});
