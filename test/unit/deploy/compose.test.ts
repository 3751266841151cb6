/**
 * docker-compose.yml and deploy/compose/**, read as the files they are (no Docker engine runs
 * here): images pinned, every bind-mounted file present, dependencies on conditions the
 * services can meet, and the pieces agreeing with each other: the daemon's configuration
 * passes driftwatch's own checks and names the brokers, topics, SMTP server, InfluxDB,
 * volume and dashboards that the stack provides; Prometheus scrapes it and loads the rules;
 * Grafana gets the dashboards and a Prometheus data source.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { checkConfig } from '../../../src/config/load.js';
import type { DriftwatchConfig } from '../../../src/config/types.js';
import { DEMO_MODELS } from '../../../src/sources/synthetic/stream.js';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const COMPOSE_FILE = join(REPO, 'docker-compose.yml');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[] | string;
  entrypoint?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  healthcheck?: { test?: string[]; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  profiles?: string[];
  read_only?: boolean;
  tmpfs?: string[];
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

// Compose reads YAML 1.1 merge keys (`<<: *driftwatch`).
const compose = parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }) as Compose;
const services = compose.services;
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };

function service(name: string): Service {
  const s = services[name];
  if (s === undefined) throw new Error(`docker-compose.yml has no service ${name}`);
  return s;
}

/** A volume entry `source:target[:mode]` split, with whether it binds a host path. */
function mounts(s: Service): { source: string; target: string; bind: boolean }[] {
  return (s.volumes ?? []).map((v) => {
    const [source = '', target = ''] = v.split(':');
    return { source, target, bind: source.startsWith('.') || source.startsWith('/') };
  });
}

/** The host file bound at `target` in service `name`. */
function boundFile(name: string, target: string): string {
  const m = mounts(service(name)).find((x) => x.bind && x.target === target);
  if (m === undefined) throw new Error(`service ${name} binds nothing at ${target}`);
  return join(dirname(COMPOSE_FILE), m.source);
}

/** The host path bound at `containerPath` in service `name` (a file or a directory), or null. */
function hostFileFor(name: string, containerPath: string): string | null {
  for (const m of mounts(service(name))) {
    if (!m.bind) continue;
    if (containerPath === m.target || containerPath.startsWith(`${m.target}/`))
      return join(dirname(COMPOSE_FILE), m.source, posix.relative(m.target, containerPath));
  }
  return null;
}

/** driftwatch check-config of the file bound as the daemon's configuration. */
function checkDaemonConfig(): ReturnType<typeof checkConfig> {
  // No variable set: every ${VAR} of the file has a default that must do.
  return checkConfig(boundFile('driftwatch', '/etc/driftwatch/driftwatch.yaml'), {});
}

/** The image's VOLUME of the Dockerfile's last stage. */
function dockerfileVolumes(): string[] {
  const text = readFileSync(join(REPO, 'Dockerfile'), 'utf8');
  return [...text.matchAll(/^VOLUME\s+\[(.*)\]$/gm)].flatMap((m) => JSON.parse(`[${m[1]}]`) as string[]);
}

describe('docker-compose.yml', () => {
  it('runs the whole stack: Kafka, driftwatch, Prometheus, Grafana, an SMTP catcher and InfluxDB', () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        'baselines',
        'demo',
        'driftwatch',
        'grafana',
        'influxdb',
        'kafka',
        'kafka-init',
        'mailpit',
        'prometheus',
      ].sort(),
    );
    expect(service('kafka').image).toMatch(/^apache\/kafka:3\.9\.\d+$/);
    expect(service('influxdb').image).toMatch(/^influxdb:1\.8\.\d+$/);
    expect(service('driftwatch').build).toEqual({ context: '.', dockerfile: 'Dockerfile' });
    // The demo producer only when asked for.
    expect(service('demo').profiles).toEqual(['demo']);
  });

  it('pins every image to a version, and tags the built one with the package version', () => {
    for (const [name, s] of Object.entries(services)) {
      expect(s.image, name).toBeDefined();
      const tag = /:([^:/]+)$/.exec(s.image ?? '')?.[1];
      if (s.build !== undefined) {
        expect(s.image, name).toBe(`driftwatch:${pkg.version}`);
        expect(existsSync(join(REPO, s.build.context, s.build.dockerfile)), name).toBe(true);
      } else {
        expect(tag, name).toMatch(/^v?\d+\.\d+\.\d+$/);
      }
    }
  });

  it('binds only files that exist, and declares every named volume', () => {
    const declared = Object.keys(compose.volumes ?? {});
    let binds = 0;
    for (const [name, s] of Object.entries(services)) {
      for (const m of mounts(s)) {
        if (m.bind) {
          binds++;
          expect(existsSync(join(dirname(COMPOSE_FILE), m.source)), `${name}: ${m.source}`).toBe(true);
        } else {
          expect(declared, `${name}: ${m.source}`).toContain(m.source);
        }
        expect(m.target, `${name}: ${m.source}`).toMatch(/^\//);
      }
    }
    expect(binds).toBeGreaterThanOrEqual(6);
  });

  it('waits only on conditions the services can meet', () => {
    const dockerfileHasHealthcheck = /^HEALTHCHECK\s+.*CMD/m.test(
      readFileSync(join(REPO, 'Dockerfile'), 'utf8'),
    );
    for (const [name, s] of Object.entries(services)) {
      for (const [target, { condition }] of Object.entries(s.depends_on ?? {})) {
        const t = service(target);
        expect(t.profiles, `${name} depends on ${target}, which only starts with a profile`).toBeUndefined();
        expect(['service_started', 'service_healthy', 'service_completed_successfully']).toContain(condition);
        if (condition === 'service_healthy') {
          const own = t.healthcheck?.test !== undefined;
          const inherited = t.build !== undefined && dockerfileHasHealthcheck;
          expect(t.healthcheck?.disable, `${target} has its health check disabled`).not.toBe(true);
          expect(own || inherited, `${name} waits for ${target} to be healthy: it has no health check`).toBe(
            true,
          );
        }
      }
    }
    // Every long-running service reports its health.
    for (const name of ['kafka', 'prometheus', 'grafana', 'mailpit', 'influxdb'])
      expect(service(name).healthcheck?.test, name).toBeDefined();
  });

  it('publishes ports on 127.0.0.1 only', () => {
    for (const [name, s] of Object.entries(services))
      for (const p of s.ports ?? []) expect(p, name).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
  });

  it('runs driftwatch read-only, with its state in the volume of the image', () => {
    const volumes = dockerfileVolumes();
    expect(volumes.length).toBeGreaterThan(0);
    for (const name of ['driftwatch', 'baselines', 'demo']) expect(service(name).read_only, name).toBe(true);
    const state = mounts(service('driftwatch')).find((m) => !m.bind && volumes.includes(m.target));
    expect(state).toBeDefined();
    // The baselines service writes into that same volume, where the config reads them.
    expect(mounts(service('baselines'))).toContainEqual(state);
    // `demo` writes its baselines and state to /tmp: a tmpfs under a read-only root.
    expect(service('demo').tmpfs).toContain('/tmp');
  });
});

describe('deploy/compose/driftwatch.yaml, the daemon configuration of the stack', () => {
  const check = checkDaemonConfig();
  // For the tests below; when the file is invalid, the first test says why.
  const config = (check.config ?? {
    kafka: null,
    models: [],
    influx: null,
    alerts: {},
    server: {},
    state: {},
  }) as DriftwatchConfig;

  it('passes driftwatch check-config', () => {
    expect(check.problems).toEqual([]);
    expect(config.kafka).not.toBeNull();
    expect(config.influx).not.toBeNull();
    expect(config.alerts.smtp).not.toBeNull();
  });

  it('reads the broker and the topics the stack creates', () => {
    const env = service('kafka').environment ?? {};
    const advertised = (env.KAFKA_ADVERTISED_LISTENERS ?? '')
      .split(',')
      .map((l) => l.replace(/^\w+:\/\//, ''));
    for (const broker of config.kafka?.brokers ?? []) expect(advertised).toContain(broker);
    const init = [service('kafka-init').command].flat().join('\n');
    const topics = /for topic in ([^;]+);/.exec(init)?.[1]?.trim().split(/\s+/) ?? [];
    expect(topics).toEqual(
      expect.arrayContaining(
        [config.kafka?.topics.predictions, config.kafka?.dlqTopic].filter((t) => t != null),
      ),
    );
    expect(config.kafka?.topics.features).toBeNull();
  });

  it('watches the models the demo produces, with the baselines the baselines service builds', () => {
    expect(config.models.map((m) => m.name).sort()).toEqual([...DEMO_MODELS].sort());
    const out = [service('baselines').command].flat()[0] ?? '';
    for (const m of config.models) expect(m.baseline).toBe(posix.join(out, `${m.name}.baseline.json`));
    // The script the service runs is the one bound into it.
    const script = service('baselines').entrypoint?.[1] ?? '';
    expect(hostFileFor('baselines', script)).toBe(join(REPO, 'deploy/compose/demo-baselines.mjs'));
    // And the demo produces into the topic driftwatch reads.
    expect(service('demo').command).toContain(`--topic=${config.kafka?.topics.predictions}`);
    expect(service('demo').command).toContain(`--kafka=${config.kafka?.brokers[0]}`);
  });

  it('keeps its state in the volume, writes history to the InfluxDB service and mails to the catcher', () => {
    const state = mounts(service('driftwatch')).find((m) => !m.bind && m.source === 'state');
    expect(config.state.directory).toBe(state?.target);
    expect(dockerfileVolumes()).toContain(config.state.directory);

    const influx = new URL(config.influx?.url ?? '');
    expect(Object.keys(services)).toContain(influx.hostname);
    expect(influx.port).toBe('8086');
    expect(config.influx?.bucket.split('/')[0]).toBe(service('influxdb').environment?.INFLUXDB_DB);

    // mailpit takes plain SMTP on 1025.
    expect(service(config.alerts.smtp?.host ?? '').image).toMatch(/^axllent\/mailpit:/);
    expect(config.alerts.smtp?.port).toBe(1025);
    expect(config.alerts.smtp?.starttls).toBe(false);
  });

  it('links to a dashboard that Grafana is given', () => {
    const uid = /\/d\/([^/?]+)/.exec(config.alerts.dashboardUrl ?? '')?.[1];
    const dashboards = join(REPO, 'dashboards');
    const uids = readdirSync(dashboards)
      .filter((f) => f.endsWith('.json'))
      .map((f) => (JSON.parse(readFileSync(join(dashboards, f), 'utf8')) as { uid: string }).uid);
    expect(uids).toContain(uid);
  });

  it('listens where Prometheus scrapes it and the port is published', () => {
    const prometheus = parse(
      readFileSync(boundFile('prometheus', '/etc/prometheus/prometheus.yml'), 'utf8'),
    ) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    const job = prometheus.scrape_configs.find((j) => j.job_name === 'driftwatch');
    expect(job?.static_configs.flatMap((c) => c.targets)).toEqual([`driftwatch:${config.server.port}`]);
    expect(service('driftwatch').ports).toEqual([`127.0.0.1:${config.server.port}:${config.server.port}`]);
    expect(config.server.host).toBe('0.0.0.0');
  });
});

describe('Prometheus and Grafana in the stack', () => {
  it('Prometheus loads the rules file of deploy/prometheus', () => {
    const prometheus = parse(
      readFileSync(boundFile('prometheus', '/etc/prometheus/prometheus.yml'), 'utf8'),
    ) as {
      rule_files: string[];
    };
    expect(prometheus.rule_files.length).toBeGreaterThan(0);
    for (const f of prometheus.rule_files)
      expect(hostFileFor('prometheus', f)).toBe(join(REPO, 'deploy/prometheus/driftwatch-rules.yml'));
  });

  it('Grafana gets every dashboard of dashboards/ and a Prometheus data source on the service', () => {
    const provisioning = boundFile('grafana', '/etc/grafana/provisioning');
    expect(statSync(provisioning).isDirectory()).toBe(true);
    const providers = parse(readFileSync(join(provisioning, 'dashboards/dashboards.yml'), 'utf8')) as {
      providers: { type: string; options: { path: string } }[];
    };
    const path = providers.providers[0]?.options.path ?? '';
    expect(hostFileFor('grafana', path)).toBe(join(REPO, 'dashboards'));
    const home = service('grafana').environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH ?? '';
    expect(existsSync(hostFileFor('grafana', home) ?? '')).toBe(true);

    const sources = parse(readFileSync(join(provisioning, 'datasources/datasources.yml'), 'utf8')) as {
      datasources: { type: string; url: string; isDefault?: boolean }[];
    };
    const prom = sources.datasources.find((d) => d.type === 'prometheus');
    expect(prom?.isDefault).toBe(true);
    const url = new URL(prom?.url ?? '');
    expect(Object.keys(services)).toContain(url.hostname);
    expect(service(url.hostname).ports).toContain(`127.0.0.1:${url.port}:${url.port}`);
  });
});
