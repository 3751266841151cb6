/**
 * The Helm chart (helm/driftwatch), checked with the real helm CLI that
 * scripts/install-helm.sh builds: `helm lint --strict`, and `helm template` with the
 * default values and with ci/all-features-values.yaml, whose manifests are parsed and
 * checked: security contexts, probes, labels, ports, the ServiceMonitor and PrometheusRule
 * with their `release` label switch, the dashboards ConfigMaps, and the driftwatch config
 * the ConfigMap holds, run through `driftwatch check-config`.
 * Needs no Kafka broker: run alone with KAFKA_BOOTSTRAP set to anything, e.g.
 * KAFKA_BOOTSTRAP=none npx vitest run --project integration test/integration/helm.test.ts
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMap, isScalar, isSeq, parse, parseAllDocuments, parseDocument, type YAMLMap } from 'yaml';

import { execCli } from '../support/cli.js';

const run = promisify(execFile);

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHART = join(ROOT, 'helm', 'driftwatch');
const ALL_FEATURES = join(CHART, 'ci', 'all-features-values.yaml');
const RELEASE = 'dw';
const NAMESPACE = 'ml-monitoring';
/** The helm release scripts/install-helm.sh builds unless HELM_VERSION says otherwise. */
const DEFAULT_HELM_VERSION = '3.17.4';

/** HELM_BIN if set, else where scripts/install-helm.sh puts the binary. */
function helmBinary(): string {
  if (process.env.HELM_BIN) return process.env.HELM_BIN;
  const cache = process.env.DRIFTWATCH_CACHE || join(homedir(), '.cache', 'driftwatch');
  const version = (process.env.HELM_VERSION || DEFAULT_HELM_VERSION).replace(/^v/, '');
  return join(cache, `helm-${version}`, 'bin', 'helm');
}

const HELM = helmBinary();

async function helm(args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  if (!existsSync(HELM)) throw new Error(`${HELM} is missing: run "bash scripts/install-helm.sh" first`);
  try {
    return await run(HELM, [...args], { maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`helm ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

type Labels = Record<string, string>;

interface Metadata {
  name: string;
  namespace?: string;
  labels?: Labels;
  annotations?: Record<string, string>;
}

/** A rendered object; only the fields these tests read are typed. */
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: Metadata;
  spec?: unknown;
  data?: Record<string, string>;
}

interface Probe {
  httpGet?: { path: string; port: string | number };
}

interface Container {
  name: string;
  args?: string[];
  ports?: { name: string; containerPort: number }[];
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}

interface Volume {
  name: string;
  emptyDir?: Record<string, unknown>;
  persistentVolumeClaim?: { claimName: string };
  configMap?: { name: string };
  secret?: { secretName: string; items?: { key: string; path: string }[] };
}

interface DeploymentSpec {
  replicas: number;
  strategy: { type: string };
  selector: { matchLabels: Labels };
  template: {
    metadata: { labels: Labels; annotations?: Record<string, string> };
    spec: {
      securityContext: Record<string, unknown>;
      automountServiceAccountToken?: boolean;
      serviceAccountName: string;
      containers: Container[];
      volumes: Volume[];
    };
  };
}

interface ServiceSpec {
  ports: { name: string; port: number; targetPort: string | number }[];
  selector: Labels;
}

interface ServiceMonitorSpec {
  selector: { matchLabels: Labels };
  namespaceSelector?: { matchNames: string[] };
  endpoints: { port: string; path: string }[];
}

interface RulesFile {
  groups: { rules: { alert?: string; annotations?: Record<string, string> }[] }[];
}

/** Renders the chart and parses every manifest. */
async function template(
  valueFiles: readonly string[] = [],
  sets: readonly string[] = [],
): Promise<K8sObject[]> {
  const args = ['template', RELEASE, CHART, '--namespace', NAMESPACE];
  for (const f of valueFiles) args.push('--values', f);
  for (const s of sets) args.push('--set', s);
  const { stdout } = await helm(args);
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(stdout)) {
    if (doc.errors.length > 0) throw new Error(`helm template output: ${doc.errors[0]?.message}`);
    const value = doc.toJS() as K8sObject | null;
    if (value !== null) objects.push(value);
  }
  return objects;
}

function one(objects: readonly K8sObject[], kind: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0] as K8sObject;
}

function deploymentOf(objects: readonly K8sObject[]): DeploymentSpec {
  return one(objects, 'Deployment').spec as DeploymentSpec;
}

function containerOf(objects: readonly K8sObject[]): Container {
  const containers = deploymentOf(objects).template.spec.containers;
  expect(containers.map((c) => c.name)).toEqual(['driftwatch']);
  return containers[0] as Container;
}

/** The driftwatch config file the ConfigMap holds. */
function configText(objects: readonly K8sObject[]): string {
  const cm = objects.find((o) => o.kind === 'ConfigMap' && o.data?.['driftwatch.yaml'] !== undefined);
  if (!cm?.data) throw new Error('no ConfigMap with driftwatch.yaml');
  return cm.data['driftwatch.yaml'] as string;
}

function dashboardConfigMaps(objects: readonly K8sObject[], label = 'grafana_dashboard'): K8sObject[] {
  return objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.[label] !== undefined);
}

/** Every leaf path ending in `_file` in a parsed config, with its value. */
function secretFileKeys(value: unknown, path = ''): [string, string][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => secretFileKeys(v, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => {
    const p = path === '' ? k : `${path}.${k}`;
    if (k.endsWith('_file') && typeof v === 'string') return [[p, v] as [string, string]];
    return secretFileKeys(v, p);
  });
}

const packageVersion = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string })
  .version;
const chartMeta = parse(readFileSync(join(CHART, 'Chart.yaml'), 'utf8')) as {
  apiVersion: string;
  name: string;
  version: string;
  appVersion: string;
};

let defaults: K8sObject[];
let allFeatures: K8sObject[];
let tmp: string;

beforeAll(async () => {
  [defaults, allFeatures] = await Promise.all([template(), template([ALL_FEATURES])]);
  tmp = await mkdtemp(join(tmpdir(), 'driftwatch-helm-'));
});

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('helm chart metadata', () => {
  it('is a v2 chart whose appVersion is the package version', () => {
    expect(chartMeta.apiVersion).toBe('v2');
    expect(chartMeta.name).toBe('driftwatch');
    expect(chartMeta.appVersion).toBe(packageVersion);
  });

  it('comments every value of values.yaml', () => {
    const doc = parseDocument(readFileSync(join(CHART, 'values.yaml'), 'utf8'));
    const uncommented: string[] = [];
    // A key is commented by the lines above it (on the first key of a map, the yaml package
    // may attach them to the map) or by a comment at the end of its line. Items of lists
    // are examples and are not walked into.
    const walk = (map: YAMLMap, path: string): void => {
      map.items.forEach((pair, i) => {
        const key = isScalar(pair.key) ? String(pair.key.value) : '?';
        const above = (pair.key as { commentBefore?: string | null }).commentBefore ?? null;
        const first = i === 0 ? (map.commentBefore ?? null) : null;
        const inline = (pair.value as { comment?: string | null } | null)?.comment ?? null;
        const words = (c: string | null): boolean => (c ?? '').replace(/[#\s]/g, '') !== '';
        if (!words(above) && !words(first) && !words(inline)) uncommented.push(path + key);
        if (isMap(pair.value)) walk(pair.value, `${path}${key}.`);
        else if (!isSeq(pair.value) && !isScalar(pair.value) && pair.value !== null)
          uncommented.push(`${path}${key} (unexpected node)`);
      });
    };
    if (!isMap(doc.contents)) throw new Error('values.yaml is not a mapping');
    walk(doc.contents, '');
    expect(uncommented).toEqual([]);
  });
});

describe('helm lint --strict', () => {
  it('passes with the default values', async () => {
    const { stdout } = await helm(['lint', '--strict', CHART]);
    expect(stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
  });

  it('passes with every feature on', async () => {
    const { stdout } = await helm(['lint', '--strict', CHART, '--values', ALL_FEATURES]);
    expect(stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
  });
});

describe.each([
  ['default values', () => defaults],
  ['all-features values', () => allFeatures],
])('helm template with %s', (name, rendered) => {
  it('puts the standard labels on every object and on the pod', () => {
    const objects = rendered();
    const expected = {
      'app.kubernetes.io/name': 'driftwatch',
      'app.kubernetes.io/instance': RELEASE,
      'app.kubernetes.io/version': packageVersion,
      'app.kubernetes.io/managed-by': 'Helm',
      'helm.sh/chart': `driftwatch-${chartMeta.version}`,
    };
    expect(objects.length).toBeGreaterThan(0);
    for (const o of objects)
      expect(o.metadata.labels, `${o.kind} ${o.metadata.name}`).toMatchObject(expected);
    expect(deploymentOf(objects).template.metadata.labels).toMatchObject(expected);
  });

  it('puts namespaced objects in the release namespace', () => {
    for (const o of rendered()) {
      if (o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard !== undefined) continue;
      expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBe(NAMESPACE);
    }
  });

  it('runs one non-root pod with a read-only root file system and no capabilities', () => {
    const objects = rendered();
    const deployment = deploymentOf(objects);
    expect(deployment.replicas).toBe(1);
    expect(deployment.strategy).toEqual({ type: 'Recreate' });
    expect(deployment.template.spec.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 10001,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(containerOf(objects).securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 10001,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(deployment.template.spec.automountServiceAccountToken).toBe(false);
    const sa = one(objects, 'ServiceAccount');
    expect(deployment.template.spec.serviceAccountName).toBe(sa.metadata.name);
  });

  it('probes /healthz and /readyz on the named port the daemon listens on', () => {
    const objects = rendered();
    const container = containerOf(objects);
    expect(container.ports).toEqual([{ name: 'http-metrics', containerPort: 9874, protocol: 'TCP' }]);
    expect(container.startupProbe?.httpGet).toEqual({ path: '/healthz', port: 'http-metrics' });
    expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http-metrics' });
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http-metrics' });
    const config = parse(configText(objects)) as { server: { host: string; port: number } };
    expect(config.server).toEqual({ host: '0.0.0.0', port: 9874 });
    expect(container.resources?.requests).toHaveProperty('memory');
    expect(container.resources?.limits).toHaveProperty('memory');
  });

  it('mounts a writable volume at every path driftwatch writes: the state directory and /tmp', () => {
    const objects = rendered();
    const deployment = deploymentOf(objects);
    const mounts = containerOf(objects).volumeMounts ?? [];
    const volumes = new Map(deployment.template.spec.volumes.map((v) => [v.name, v]));
    const config = parse(configText(objects)) as { state: { directory: string } };
    const state = mounts.find((m) => m.mountPath === config.state.directory);
    expect(state?.readOnly ?? false).toBe(false);
    expect(volumes.get(state?.name ?? '')?.persistentVolumeClaim?.claimName).toBe(
      one(objects, 'PersistentVolumeClaim').metadata.name,
    );
    const tmpMount = mounts.find((m) => m.mountPath === '/tmp');
    expect(volumes.get(tmpMount?.name ?? '')?.emptyDir).toBeDefined();
    // Every mount names a volume of the pod.
    for (const m of mounts) expect(volumes.has(m.name), m.name).toBe(true);
  });

  it('serves http-metrics on 9874 from a Service that selects the pod', () => {
    const objects = rendered();
    const service = one(objects, 'Service').spec as ServiceSpec;
    expect(service.ports).toEqual([
      { name: 'http-metrics', port: 9874, targetPort: 'http-metrics', protocol: 'TCP' },
    ]);
    expect(deploymentOf(objects).template.metadata.labels).toMatchObject(service.selector);
    expect(deploymentOf(objects).selector.matchLabels).toEqual(service.selector);
  });

  it('rolls the pod when the config changes: the checksum annotation is the config file hash', () => {
    const objects = rendered();
    // The ConfigMap's block scalar adds one trailing newline to the rendered config.
    const hash = createHash('sha256').update(configText(objects).replace(/\n$/, '')).digest('hex');
    expect(deploymentOf(objects).template.metadata.annotations?.['checksum/config']).toBe(hash);
  });

  it('ships one ConfigMap per dashboard file of the chart, labelled for the Grafana sidecar', () => {
    const dir = join(CHART, 'dashboards');
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort();
    expect(files.length).toBeGreaterThan(0);
    const maps = dashboardConfigMaps(rendered());
    expect(maps).toHaveLength(files.length);
    const shipped: Record<string, string> = {};
    for (const cm of maps) {
      expect(cm.metadata.labels?.grafana_dashboard).toBe('1');
      Object.assign(shipped, cm.data);
    }
    const expected = Object.fromEntries(files.map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
    expect(shipped).toEqual(expected);
    for (const content of Object.values(shipped)) expect(() => JSON.parse(content) as unknown).not.toThrow();
  });

  it('writes a config file that driftwatch check-config accepts', async () => {
    const objects = rendered();
    const deployment = deploymentOf(objects);
    const mounts = containerOf(objects).volumeMounts ?? [];
    const volumes = new Map(deployment.template.spec.volumes.map((v) => [v.name, v]));
    const text = configText(objects);
    const config = parse(text) as unknown;

    // Each *_file is a file of a mounted Secret: its directory is a mount of a secret volume
    // that projects the file's name.
    const secretsRoot = join(tmp, `${name.replace(/\W+/g, '-')}-secrets`);
    let local = text;
    for (const [key, path] of secretFileKeys(config)) {
      const mount = mounts.find((m) => m.mountPath === dirname(path));
      expect(mount, `${key}: ${path} is not in a mounted directory`).toBeDefined();
      expect(mount?.readOnly).toBe(true);
      const items = volumes.get(mount?.name ?? '')?.secret?.items ?? [];
      expect(
        items.map((i) => i.path),
        `${key}: the Secret volume does not project ${basename(path)}`,
      ).toContain(basename(path));
      // A stand-in for the secret, where the test can create it.
      const stand = join(secretsRoot, basename(dirname(path)), basename(path));
      await mkdir(dirname(stand), { recursive: true });
      const pem = /\.(crt|key)$/.test(path);
      await writeFile(
        stand,
        pem ? '-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n' : 'secret\n',
      );
      local = local.split(path).join(stand);
    }
    const file = join(tmp, `${name.replace(/\W+/g, '-')}.yaml`);
    await writeFile(file, local);
    const result = await execCli(['check-config', '--config', file], { KAFKA_BROKERS: 'kafka-0:9092' });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`${file}: valid\n`);
    expect(result.code).toBe(0);
  });
});

describe('helm template: the optional parts', () => {
  it('leaves out the ServiceMonitor, PrometheusRule, PDB and Ingress by default', () => {
    const kinds = defaults.map((o) => o.kind);
    for (const kind of ['ServiceMonitor', 'PrometheusRule', 'PodDisruptionBudget', 'Ingress'])
      expect(kinds).not.toContain(kind);
  });

  it('scrapes the Service by its port name with the ServiceMonitor', () => {
    const service = one(allFeatures, 'Service');
    const monitor = one(allFeatures, 'ServiceMonitor');
    const spec = monitor.spec as ServiceMonitorSpec;
    const portNames = (service.spec as ServiceSpec).ports.map((p) => p.name);
    expect(spec.endpoints).toHaveLength(1);
    expect(portNames).toContain(spec.endpoints[0]?.port);
    expect(spec.endpoints[0]?.path).toBe('/metrics');
    expect(service.metadata.labels).toMatchObject(spec.selector.matchLabels);
    expect(spec.namespaceSelector?.matchNames).toEqual([service.metadata.namespace]);
    expect(monitor.metadata.labels).toMatchObject({ scrape: 'driftwatch', team: 'ml-platform' });
  });

  it('switches the release label of the ServiceMonitor and the PrometheusRule on and off', async () => {
    for (const kind of ['ServiceMonitor', 'PrometheusRule']) {
      expect(one(allFeatures, kind).metadata.labels?.release).toBe('kube-prometheus-stack');
    }
    const off = await template([], ['serviceMonitor.enabled=true', 'prometheusRule.enabled=true']);
    for (const kind of ['ServiceMonitor', 'PrometheusRule']) {
      expect(one(off, kind).metadata.labels).not.toHaveProperty('release');
    }
    const other = await template(
      [],
      [
        'serviceMonitor.enabled=true',
        'serviceMonitor.release=prom',
        'prometheusRule.enabled=true',
        'prometheusRule.release=prom-rules',
      ],
    );
    expect(one(other, 'ServiceMonitor').metadata.labels?.release).toBe('prom');
    expect(one(other, 'PrometheusRule').metadata.labels?.release).toBe('prom-rules');
  });

  it("holds the chart's rules file in the PrometheusRule, groups unchanged", () => {
    const rules = parse(readFileSync(join(CHART, 'rules', 'driftwatch-rules.yml'), 'utf8')) as RulesFile;
    const spec = one(allFeatures, 'PrometheusRule').spec as RulesFile;
    expect(rules.groups.length).toBeGreaterThan(0);
    expect(spec.groups).toEqual(rules.groups);
  });

  it('points the runbook links at runbookBaseUrl when it is set, and changes nothing else', async () => {
    const base = 'https://wiki.example.com/ml/driftwatch-runbooks';
    const moved = await template(
      [],
      ['prometheusRule.enabled=true', `prometheusRule.runbookBaseUrl=${base}/`],
    );
    const rules = parse(readFileSync(join(CHART, 'rules', 'driftwatch-rules.yml'), 'utf8')) as RulesFile;
    const spec = one(moved, 'PrometheusRule').spec as RulesFile;
    const links = (file: RulesFile) =>
      file.groups.flatMap((g) =>
        g.rules.flatMap((r) => (r.alert === undefined ? [] : [r.annotations?.runbook_url])),
      );
    const original = links(rules);
    expect(original.length).toBeGreaterThan(0);
    expect(links(spec)).toEqual(original.map((url) => url?.replace(/^.*\/runbooks\.md/, base)));
    const strip = (file: RulesFile) =>
      file.groups.map((g) => ({
        ...g,
        rules: g.rules.map((r) => ({ ...r, annotations: { ...r.annotations, runbook_url: undefined } })),
      }));
    expect(strip(spec)).toEqual(strip(rules));
  });

  it('puts the dashboards where the sidecar looks: its namespace, label and annotations', async () => {
    for (const cm of dashboardConfigMaps(allFeatures)) {
      expect(cm.metadata.namespace).toBe('monitoring');
      expect(cm.metadata.annotations).toEqual({ grafana_folder: 'driftwatch' });
      expect(cm.metadata.labels).toMatchObject({ grafana_dashboard: '1', dashboards: 'driftwatch' });
    }
    const custom = await template([], ['dashboards.label=dashboards', 'dashboards.labelValue=driftwatch']);
    const maps = dashboardConfigMaps(custom, 'dashboards');
    expect(maps.length).toBe(dashboardConfigMaps(defaults).length);
    for (const cm of maps) expect(cm.metadata.labels?.dashboards).toBe('driftwatch');
    const none = await template([], ['dashboards.enabled=false']);
    expect(dashboardConfigMaps(none)).toEqual([]);
  });

  it('guards the pod with a PodDisruptionBudget that still lets a drain evict it', () => {
    const pdb = one(allFeatures, 'PodDisruptionBudget');
    const spec = pdb.spec as { maxUnavailable: number; selector: { matchLabels: Labels } };
    expect(spec.maxUnavailable).toBe(1);
    expect(deploymentOf(allFeatures).template.metadata.labels).toMatchObject(spec.selector.matchLabels);
  });

  it('routes the Ingress to the http-metrics port of the Service', () => {
    const ingress = one(allFeatures, 'Ingress').spec as {
      rules: { http: { paths: { backend: { service: { name: string; port: { name: string } } } }[] } }[];
    };
    const backends = ingress.rules.flatMap((r) => r.http.paths.map((p) => p.backend.service));
    expect(backends.length).toBeGreaterThan(0);
    for (const b of backends) {
      expect(b).toEqual({ name: one(allFeatures, 'Service').metadata.name, port: { name: 'http-metrics' } });
    }
  });

  it('uses an emptyDir for the state without persistence', async () => {
    const objects = await template([], ['persistence.enabled=false']);
    expect(objects.map((o) => o.kind)).not.toContain('PersistentVolumeClaim');
    const state = deploymentOf(objects).template.spec.volumes.find((v) => v.name === 'state');
    expect(state?.emptyDir).toBeDefined();
    expect(state?.persistentVolumeClaim).toBeUndefined();
  });

  it('mounts the baselines read-only where models[].baseline points', () => {
    const mount = containerOf(allFeatures).volumeMounts?.find((m) => m.name === 'baselines');
    expect(mount?.readOnly).toBe(true);
    const config = parse(configText(allFeatures)) as { models: { baseline?: string | null }[] };
    const baselines = config.models.map((m) => m.baseline).filter((b): b is string => typeof b === 'string');
    expect(baselines.length).toBeGreaterThan(0);
    for (const b of baselines) expect(dirname(b)).toBe(mount?.mountPath);
    const volume = deploymentOf(allFeatures).template.spec.volumes.find((v) => v.name === 'baselines');
    expect(volume?.configMap?.name).toBe('driftwatch-baselines');
  });

  it('changes the checksum annotation when the config changes', async () => {
    const debug = await template([], ['config.logging.level=debug']);
    const before = deploymentOf(defaults).template.metadata.annotations?.['checksum/config'];
    const after = deploymentOf(debug).template.metadata.annotations?.['checksum/config'];
    expect(after).toMatch(/^[0-9a-f]{64}$/);
    expect(after).not.toBe(before);
  });

  it('refuses a secret whose config section is missing, naming the value to set', async () => {
    await expect(template([], ['secrets.smtp.existingSecret=smtp'])).rejects.toThrow(
      /secrets\.smtp\.existingSecret is set but config\.alerts\.smtp is not/,
    );
  });
});

describe("the chart's copies of the canonical dashboards and rules", () => {
  it('holds exactly the files of dashboards/, byte for byte', (ctx) => {
    const canonical = readdirSync(join(ROOT, 'dashboards')).filter((f) => f.endsWith('.json'));
    // Until the dashboards exist the chart holds a placeholder; then this check is strict.
    if (canonical.length === 0) ctx.skip();
    const copies = readdirSync(join(CHART, 'dashboards')).filter((f) => f.endsWith('.json'));
    expect(copies.sort()).toEqual(canonical.sort());
    for (const f of canonical) {
      expect(
        readFileSync(join(CHART, 'dashboards', f)).equals(readFileSync(join(ROOT, 'dashboards', f))),
        f,
      ).toBe(true);
    }
  });

  it('holds deploy/prometheus/driftwatch-rules.yml, byte for byte', (ctx) => {
    const canonical = join(ROOT, 'deploy', 'prometheus', 'driftwatch-rules.yml');
    if (!existsSync(canonical)) ctx.skip();
    const copy = readFileSync(join(CHART, 'rules', 'driftwatch-rules.yml'));
    expect(copy.equals(readFileSync(canonical)), 'run: bash scripts/sync-chart-assets.sh').toBe(true);
  });
});
