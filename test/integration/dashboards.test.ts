/**
 * The Grafana dashboards of dashboards/ and the rules of deploy/prometheus/driftwatch-rules.yml.
 *
 * Validity: each dashboard is Grafana dashboard JSON as provisioning and the import dialog
 * take it (schema version, uid, unique panel ids, a datasource variable and no hard-coded
 * datasource uid, a `model` variable, an expression in every target, every variable a query
 * uses defined, panels inside the 24-column grid and not overlapping).
 *
 * Liveness: a real daemon, fed through the real broker with valid and invalid records, with
 * a baseline, a dead-letter topic, InfluxDB history and a webhook receiver that a rule
 * notifies, is scraped by a real Prometheus that loads the rules file. Every expression of
 * every panel, with the template variables filled in as Grafana would, and every rule
 * expression, returns data from that Prometheus.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';

import { execCli } from '../support/cli.js';
import { startDaemon, waitUntil, type DaemonProcess } from '../support/daemon.js';
import { buildMix } from '../support/eventMix.js';
import { startInflux, type InfluxHandle } from '../support/influx.js';
import { createTopics, kafkaClient, produceRoundRobin, uniqueName } from '../support/kafkaTopics.js';
import { freePort } from '../support/ports.js';
import { startPrometheus, type PrometheusHandle } from '../support/prometheus.js';
import { sumOf } from '../support/promText.js';
import { writeTestConfig } from '../support/testConfig.js';

const DASHBOARDS_DIR = fileURLToPath(new URL('../../dashboards/', import.meta.url));
const RULES_FILE = fileURLToPath(new URL('../../deploy/prometheus/driftwatch-rules.yml', import.meta.url));
const DASHBOARD_FILES = ['daemon-health.json', 'fleet-overview.json', 'model-drilldown.json'];
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };
/** The variables Grafana defines itself. */
const BUILTIN_VARIABLES = new Set(['__rate_interval', '__interval', '__interval_ms', '__range', '__range_s']);

interface Target {
  refId?: string;
  expr?: string;
  datasource?: unknown;
}
interface Panel {
  id?: number;
  type: string;
  title?: string;
  description?: string;
  datasource?: unknown;
  gridPos?: { h: number; w: number; x: number; y: number };
  targets?: Target[];
  panels?: Panel[];
  fieldConfig?: { defaults?: { unit?: string } };
}
interface Variable {
  name: string;
  type: string;
  query?: string | { query?: string };
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string;
  datasource?: unknown;
}
interface Dashboard {
  uid?: string;
  title?: string;
  schemaVersion?: number;
  __inputs?: unknown;
  panels?: Panel[];
  templating?: { list?: Variable[] };
}

function load(file: string): Dashboard {
  return JSON.parse(readFileSync(join(DASHBOARDS_DIR, file), 'utf8')) as Dashboard;
}

/** Every panel, those inside rows (collapsed rows keep theirs in `panels`) included. */
function allPanels(d: Dashboard): Panel[] {
  return (d.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]);
}

const dataPanels = (d: Dashboard): Panel[] => allPanels(d).filter((p) => p.type !== 'row');

function variableQuery(v: Variable): string {
  return typeof v.query === 'string' ? v.query : (v.query?.query ?? '');
}

/** Names of the template variables an expression uses: `$name`, `${name}` and `${name:format}`. */
function variablesIn(expr: string): string[] {
  return [...expr.matchAll(/\$(?:\{(\w+)(?::\w+)?\}|(\w+))/g)].map((m) => (m[1] ?? m[2]) as string);
}

/** Every value found under a `datasource` key, anywhere in the JSON, with its path. */
function datasourceRefs(node: unknown, path = '$'): [string, unknown][] {
  if (Array.isArray(node)) return node.flatMap((x, i) => datasourceRefs(x, `${path}[${i}]`));
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([k, v]) => [
    ...(k === 'datasource' ? ([[`${path}.${k}`, v]] as [string, unknown][]) : []),
    ...datasourceRefs(v, `${path}.${k}`),
  ]);
}

const overlaps = (a: Panel, b: Panel): boolean => {
  const p = a.gridPos as NonNullable<Panel['gridPos']>;
  const q = b.gridPos as NonNullable<Panel['gridPos']>;
  return p.x < q.x + q.w && q.x < p.x + p.w && p.y < q.y + q.h && q.y < p.y + p.h;
};

describe('dashboards/ are valid Grafana dashboards', () => {
  it('holds exactly the three dashboards, with distinct uids', () => {
    expect(
      readdirSync(DASHBOARDS_DIR)
        .filter((f) => f.endsWith('.json'))
        .sort(),
    ).toEqual(DASHBOARD_FILES);
    const uids = DASHBOARD_FILES.map((f) => load(f).uid);
    expect(new Set(uids).size).toBe(uids.length);
  });

  for (const file of DASHBOARD_FILES) {
    it(`${file}: schema, variables, datasources, panels and targets`, () => {
      const d = load(file);
      expect(d.schemaVersion).toBe(39);
      expect(d.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
      expect(d.title).toBeTruthy();
      expect(d).not.toHaveProperty('__inputs');

      const variables = d.templating?.list ?? [];
      expect(variables.find((v) => v.name === 'datasource')).toMatchObject({
        type: 'datasource',
        query: 'prometheus',
      });
      expect(variables.find((v) => v.name === 'model')?.type).toBe('query');
      for (const v of variables.filter((x) => x.type === 'query'))
        expect(variableQuery(v), v.name).toMatch(/^label_values\(/);

      // No hard-coded datasource anywhere: every reference is the variable.
      const refs = datasourceRefs(d);
      expect(refs.length).toBeGreaterThan(0);
      expect(refs.filter(([, v]) => JSON.stringify(v) !== JSON.stringify(DATASOURCE))).toEqual([]);

      const panels = allPanels(d);
      const ids = panels.map((p) => p.id);
      expect(ids.every((id) => Number.isInteger(id) && (id as number) > 0)).toBe(true);
      expect(ids.length - new Set(ids).size, 'duplicate panel ids').toBe(0);

      const defined = new Set([...variables.map((v) => v.name), ...BUILTIN_VARIABLES]);
      for (const p of dataPanels(d)) {
        const where = `${file} panel ${p.id} "${p.title}"`;
        expect(p.title, where).toBeTruthy();
        expect(p.description, where).toBeTruthy();
        expect(p.datasource, where).toEqual(DATASOURCE);
        expect(p.fieldConfig?.defaults?.unit, `${where}: unit`).toBeTruthy();
        expect(p.targets?.length, where).toBeGreaterThan(0);
        const refIds = (p.targets ?? []).map((t) => t.refId);
        expect(new Set(refIds).size, `${where}: refIds`).toBe(refIds.length);
        for (const t of p.targets ?? []) {
          expect(t.expr?.trim(), `${where} ${t.refId}: expr`).toBeTruthy();
          expect(t.datasource, `${where} ${t.refId}`).toEqual(DATASOURCE);
          const unknown = variablesIn(t.expr as string).filter((n) => !defined.has(n));
          expect(unknown, `${where} ${t.refId}: undefined variables`).toEqual([]);
        }
      }
      for (const v of variables)
        for (const n of variablesIn(variableQuery(v)))
          expect(defined.has(n), `variable ${v.name} uses $${n}`).toBe(true);

      // Inside the 24 columns, and no two panels of the same level on the same cells.
      for (const p of panels) {
        const g = p.gridPos;
        expect(g, `panel ${p.id}`).toBeDefined();
        const { x, y, w, h } = g as NonNullable<Panel['gridPos']>;
        expect(x >= 0 && y >= 0 && w > 0 && h > 0 && x + w <= 24, `panel ${p.id} gridPos`).toBe(true);
      }
      const levels = [d.panels ?? [], ...(d.panels ?? []).map((p) => p.panels ?? [])];
      for (const level of levels)
        for (const [i, a] of level.entries())
          for (const b of level.slice(i + 1))
            expect(overlaps(a, b), `panels ${a.id} and ${b.id} overlap`).toBe(false);
    });
  }
});

// ---------------------------------------------------------------------------------------

let kafka: Kafka;
let daemon: DaemonProcess | null = null;
let prometheus: PrometheusHandle | null = null;
let influx: InfluxHandle | null = null;
let hook: Server | null = null;

beforeAll(() => {
  kafka = kafkaClient(inject('kafkaBootstrap'));
});

afterAll(async () => {
  await prometheus?.stop();
  daemon?.kill('SIGKILL');
  await influx?.stop();
  if (hook) await new Promise((r) => (hook as Server).close(r));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Grafana's regex escaping of a multi-value or include-all variable's values in Prometheus queries. */
const regexEscape = (s: string): string => s.replace(/[\\^$*+?.()|[\]{}]/g, '\\$&');

/** `label_values(label)` or `label_values(selector, label)`. */
function parseLabelValues(query: string): { selector: string | null; label: string } {
  const m = /^label_values\((?:(.*),\s*)?(\w+)\)$/.exec(query.trim());
  if (!m) throw new Error(`not a label_values() query: ${query}`);
  return { selector: m[1] ?? null, label: m[2] as string };
}

/** The values Grafana offers for `label_values(...)`: Prometheus' label values API. */
async function labelValues(p: PrometheusHandle, query: string): Promise<string[]> {
  const { selector, label } = parseLabelValues(query);
  const params = new URLSearchParams();
  if (selector !== null) params.set('match[]', selector);
  const res = await fetch(`${p.url}/api/v1/label/${label}/values?${params}`);
  const body = (await res.json()) as { status: string; data?: string[]; error?: string };
  if (body.status !== 'success') throw new Error(`${query}: ${body.error}`);
  return body.data ?? [];
}

/**
 * Fills in `$name`, `${name}` and the built-in interval variables. The intervals are short
 * because the system has only run for seconds; each still spans many 1 s scrapes.
 */
function interpolate(expr: string, values: ReadonlyMap<string, string>): string {
  const builtins: Record<string, string> = {
    __rate_interval: '1m',
    __interval: '15s',
    __interval_ms: '15000',
    __range: '5m',
    __range_s: '300',
  };
  return expr.replace(
    /\$(?:\{(\w+)(?::\w+)?\}|(\w+))/g,
    (_whole, a: string | undefined, b: string | undefined) => {
      const name = (a ?? b) as string;
      const value = builtins[name] ?? values.get(name);
      if (value === undefined) throw new Error(`no value for $${name} in ${expr}`);
      return value;
    },
  );
}

/**
 * An alerting rule's expression with `bool` after its comparisons with a number, so that it
 * returns its signal (0 or 1 per series) whether or not the condition holds right now.
 */
const signalOf = (expr: string): string =>
  expr.replace(/\s(==|!=|>=|<=|>|<)\s+(\d+(?:\.\d+)?)(?=\s*$|\s+and\b)/g, ' $1 bool $2');

interface RulesFile {
  groups: { name: string; rules: { record?: string; alert?: string; expr: string }[] }[];
}

describe('every dashboard query and every rule against a live system', () => {
  it('returns data from a Prometheus scraping a daemon fed by the broker', async () => {
    const topic = uniqueName('it.dashboards');
    const dlqTopic = uniqueName('it.dashboards.dlq');
    const training = mkdtempSync(join(tmpdir(), 'driftwatch-dashboards-'));
    writeFileSync(
      join(training, 'train.jsonl'),
      buildMix(4000, 0, 50_000)
        .filter((r) => r.event?.model === 'fraud-scorer')
        .map((r) => r.value?.toString() ?? '')
        .join('\n'),
    );
    const deliveries: string[] = [];
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        deliveries.push(body);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => (hook as Server).listen(0, '127.0.0.1', r));
    const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;

    const [build, startedInflux] = await Promise.all([
      execCli([
        'baseline',
        'build',
        '--model',
        'fraud-scorer',
        '--input',
        join(training, 'train.jsonl'),
        '--out',
        join(training, 'fraud-scorer.json'),
        '--quiet',
      ]),
      startInflux(),
      createTopics(kafka, [topic, dlqTopic]),
    ]);
    influx = startedInflux;
    expect(build.code, build.stderr).toBe(0);

    const port = await freePort();
    const config = writeTestConfig({
      baselines: { 'fraud-scorer': join(training, 'fraud-scorer.json') },
      bootstrap: inject('kafkaBootstrap'),
      predictionsTopic: topic,
      dlqTopic,
      groupId: uniqueName('it.dashboards'),
      port,
      // A rule that fires on any traffic, routed to a webhook, so that notifications are
      // delivered; InfluxDB history, so that points are written.
      extra: `influx:
  url: ${influx.url}
  org: ${influx.org}
  bucket: ${influx.bucket}
  flush_interval: 1s
alerts:
  route: {receiver: hook, group_wait: 1s, group_interval: 1s}
  receivers:
    - {name: hook, type: webhook, url: "${hookUrl}", timeout: 2s}
  rules:
    - name: TrafficSeen
      signal: throughput_per_second
      comparison: ">"
      threshold: 0
      severity: info
`,
    });
    daemon = await startDaemon(config, port);
    prometheus = await startPrometheus({
      targets: [`127.0.0.1:${port}`],
      scrapeIntervalSeconds: 1,
      ruleFiles: [RULES_FILE],
    });
    const p = prometheus;

    // Two batches a few scrapes apart, so that every counter grows inside the rate windows.
    const first = buildMix(2000, 100, 0);
    const second = buildMix(3000, 150, 2000);
    const consumed = async (n: number) =>
      sumOf(await (daemon as DaemonProcess).metrics(), 'driftwatch_events_consumed_total', { topic }) >= n;
    await produceRoundRobin(
      kafka,
      topic,
      first.map((r) => r.value),
    );
    await waitUntil('the first batch consumed', () => consumed(first.length));
    // Scraped before the second batch arrives: otherwise every sample Prometheus holds could
    // show the final counters, and every rate would be 0.
    const scraped = async (n: number) =>
      (await p.query('sum(driftwatch_events_consumed_total)'))[0]?.value === n;
    await waitUntil('Prometheus scraped the first batch', () => scraped(first.length));
    await produceRoundRobin(
      kafka,
      topic,
      second.map((r) => r.value),
      3,
      first.length,
    );
    await waitUntil('the second batch consumed', () => consumed(first.length + second.length));

    // What the panels need, as Prometheus sees it.
    const has = (q: string) => async () => (await p.query(q)).length > 0;
    await waitUntil('drift gauges', has('driftwatch_feature_psi{model="fraud-scorer"}'));
    await waitUntil(
      'a delivered notification',
      has('driftwatch_notifications_total{outcome="delivered"} > 0'),
    );
    await waitUntil('InfluxDB points written', has('driftwatch_influx_points_total{outcome="written"} > 0'));
    await waitUntil('dead letters written', has('driftwatch_dead_letters_total{outcome="written"} > 0'));
    await waitUntil('both batches in the recording rules', async () => {
      const [rate] = await p.query('model:driftwatch_predictions:rate5m{model="fraud-scorer"}');
      return (rate?.value ?? 0) > 0 && (await scraped(first.length + second.length));
    });
    await sleep(2000);
    expect(deliveries.length).toBeGreaterThan(0);
    const at = Date.now() / 1000;

    const failures: string[] = [];
    /** Runs one query; records a failure unless it returns a series with a number that is not NaN. */
    const check = async (what: string, expr: string) => {
      try {
        const rows = await p.query(expr, at);
        if (rows.length === 0) failures.push(`${what}: no data\n    ${expr}`);
        else if (rows.every((r) => Number.isNaN(r.value))) failures.push(`${what}: only NaN\n    ${expr}`);
      } catch (err) {
        failures.push(`${what}: ${(err as Error).message}`);
      }
    };

    let checked = 0;
    for (const file of DASHBOARD_FILES) {
      const d = load(file);
      // Variables in order, as Grafana resolves them: each may use the ones before it.
      // An include-all variable is at "All" when a dashboard opens; the drill-down's single
      // model is the one with a baseline.
      const values = new Map<string, string>();
      for (const v of d.templating?.list ?? []) {
        if (v.type !== 'query') continue;
        const query = interpolate(variableQuery(v), values);
        const offered = await labelValues(p, query);
        expect(offered.length, `${file} variable ${v.name}: ${query} offers nothing`).toBeGreaterThan(0);
        if (v.name === 'model') expect(offered, `${file} variable model`).toContain('fraud-scorer');
        if (v.includeAll) values.set(v.name, v.allValue ?? offered.map(regexEscape).join('|'));
        else if (v.name === 'model') values.set(v.name, 'fraud-scorer');
        else values.set(v.name, v.multi ? regexEscape(offered[0] as string) : (offered[0] as string));
      }
      for (const panel of dataPanels(d))
        for (const t of panel.targets ?? []) {
          checked++;
          await check(
            `${file} panel ${panel.id} "${panel.title}" ${t.refId}`,
            interpolate(t.expr ?? '', values),
          );
        }
    }

    const rules = (parse(readFileSync(RULES_FILE, 'utf8')) as RulesFile).groups.flatMap((g) => g.rules);
    for (const rule of rules) {
      checked++;
      if (rule.record !== undefined) {
        await check(`recording rule ${rule.record}: expression`, rule.expr);
        await check(`recording rule ${rule.record}: recorded series`, rule.record);
      } else {
        await check(`alerting rule ${rule.alert}`, signalOf(rule.expr));
      }
    }
    if (failures.length > 0) console.error(`queries without data:\n  ${failures.join('\n  ')}`);
    expect(failures, `${failures.length} of ${checked} queries returned no data`).toEqual([]);

    // Prometheus evaluated every rule without error, and the alerts work end to end: the
    // mix's event times are long past, so NoEvents fires (it has no `for`).
    const res = (await (await fetch(`${p.url}/api/v1/rules`)).json()) as {
      data: { groups: { rules: { name: string; health: string; lastError?: string }[] }[] };
    };
    const evaluated = res.data.groups.flatMap((g) => g.rules);
    expect(evaluated.length).toBe(rules.length);
    expect(
      evaluated.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.health} ${r.lastError}`),
    ).toEqual([]);
    const firing = await p.query('ALERTS{alertname="NoEvents", alertstate="firing"}');
    expect(firing.map((s) => s.metric.model).sort()).toEqual(['churn-model', 'fraud-scorer']);
  });
});
