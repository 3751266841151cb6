/**
 * The Prometheus rules file deploy/prometheus/driftwatch-rules.yml, checked with the real
 * promtool (Debian's prometheus package, scripts/install-test-deps.sh): `check rules`
 * accepts it, `test rules` passes its unit tests, every rule is covered by them, and the
 * unit tests notice a broken threshold or a missing `for` in any alerting rule.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';

const PROMTOOL = process.env.PROMTOOL_BIN || 'promtool';
const DIR = fileURLToPath(new URL('../../deploy/prometheus/', import.meta.url));
const RULES = 'driftwatch-rules.yml';
const TESTS = 'driftwatch-rules.test.yml';

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RulesFile {
  groups: { name: string; rules: Rule[] }[];
}
interface AlertTest {
  alertname: string;
  eval_time: string;
  exp_alerts?: unknown[];
}
interface TestsFile {
  rule_files: string[];
  tests: { promql_expr_test?: { expr: string }[]; alert_rule_test?: AlertTest[] }[];
}

interface Run {
  code: number;
  output: string;
}

function promtool(args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(PROMTOOL, args, { cwd, timeout: 30_000 }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT')
        reject(new Error(`${PROMTOOL} not found (run: bash scripts/install-test-deps.sh)`));
      else resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: stdout + stderr });
    });
  });
}

const rulesFile = parse(readFileSync(join(DIR, RULES), 'utf8')) as RulesFile;
const testsFile = parse(readFileSync(join(DIR, TESTS), 'utf8')) as TestsFile;
const rules = rulesFile.groups.flatMap((g) => g.rules);
const alerts = rules.filter((r): r is Rule & { alert: string } => r.alert !== undefined);

/**
 * The rules compare with a number literal (`expr > 0.05`, `... > 1000 and deriv(...) > 0`);
 * this finds the first such comparison, the one that decides which series fire.
 */
const COMPARISON = /\s(==|!=|>=|<=|>|<)\s+(\d+(?:\.\d+)?)(?=\s*$|\s+and\b)/;

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** Runs the unit tests against a changed copy of the rules. */
async function testMutant(change: (file: RulesFile) => void): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'driftwatch-promtool-'));
  scratch.push(dir);
  const copy = structuredClone(rulesFile);
  change(copy);
  writeFileSync(join(dir, RULES), stringify(copy));
  copyFileSync(join(DIR, TESTS), join(dir, TESTS));
  return promtool(['test', 'rules', TESTS], dir);
}

function ruleOf(file: RulesFile, alert: string): Rule {
  const rule = file.groups.flatMap((g) => g.rules).find((r) => r.alert === alert);
  if (!rule) throw new Error(`no alerting rule ${alert}`);
  return rule;
}

describe('deploy/prometheus/driftwatch-rules.yml with promtool', () => {
  it('passes promtool check rules', async () => {
    const run = await promtool(['check', 'rules', RULES], DIR);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  it('passes its unit tests (promtool test rules)', async () => {
    expect(testsFile.rule_files).toEqual([RULES]);
    const run = await promtool(['test', 'rules', TESTS], DIR);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain('SUCCESS');
  });

  it('has a unit test for every rule: each alert fires in one case and stays silent in another', () => {
    const exprs = testsFile.tests.flatMap((t) => (t.promql_expr_test ?? []).map((p) => p.expr));
    const untested = rules
      .flatMap((r) => (r.record === undefined ? [] : [r.record]))
      .filter((name) => !exprs.some((e) => e.startsWith(name)));
    expect(untested, 'recording rules without a promql_expr_test').toEqual([]);

    const cases = testsFile.tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const { alert } of alerts) {
      const mine = cases.filter((c) => c.alertname === alert);
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length > 0),
        `${alert}: no case where it fires`,
      ).toBe(true);
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length === 0),
        `${alert}: no case where it does not fire`,
      ).toBe(true);
    }
  });

  it('labels and annotates every alert as kube-prometheus-stack users expect', () => {
    for (const rule of alerts) {
      expect(['critical', 'warning', 'info'], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
      expect(rule.annotations?.description, rule.alert).toBeTruthy();
      expect(rule.annotations?.runbook_url, rule.alert).toMatch(
        new RegExp(`^https://\\S+/deploy/prometheus/runbooks\\.md#${rule.alert.toLowerCase()}$`),
      );
      expect(rule.expr, `${rule.alert}: no "<op> <number>" comparison`).toMatch(COMPARISON);
    }
    // Every runbook link has its section.
    const runbooks = readFileSync(join(DIR, 'runbooks.md'), 'utf8');
    const anchors = new Set(
      [...runbooks.matchAll(/^## (\w+)$/gm)].map((m) => (m[1] as string).toLowerCase()),
    );
    expect(alerts.map((r) => r.alert.toLowerCase()).filter((a) => !anchors.has(a))).toEqual([]);
  });

  it('mirrors the default rules of docs/config.md: thresholds, for and severities', () => {
    const doc = readFileSync(new URL('../../docs/config.md', import.meta.url), 'utf8');
    const table = doc.slice(doc.indexOf('#### Default rules'));
    const rows = [
      ...table.matchAll(/^\| `(\w+)` \| `\w+` \| `([^`]+)` \| `(\w+)` \| `[\d.]+` \| `(\w+)` \|$/gm),
    ];
    expect(rows.length).toBe(6);
    for (const [, name, condition, forDuration, severity] of rows) {
      const rule = ruleOf(rulesFile, name as string);
      const [op, threshold] = (condition as string).split(' ');
      const m = COMPARISON.exec(rule.expr);
      expect([m?.[1], Number(m?.[2])], name).toEqual([op, Number(threshold)]);
      // Prometheus' default `for` is 0s, written by leaving it out.
      expect(rule.for ?? '0s', name).toBe(forDuration);
      expect(rule.labels?.severity, name).toBe(severity);
    }
  });

  it('lists every recording rule and alert in docs/metrics.md', () => {
    const doc = readFileSync(new URL('../../docs/metrics.md', import.meta.url), 'utf8');
    const section = doc.slice(doc.indexOf('## Dashboards and Prometheus rules'));
    const listed = [...section.matchAll(/^\| `([\w:]+)` \|/gm)].map((m) => m[1]);
    const recorded = [...new Set(rules.flatMap((r) => (r.record === undefined ? [] : [r.record])))];
    expect(listed).toEqual(recorded);
    for (const { alert } of alerts) expect(section, alert).toContain(`\`${alert}\``);
  });

  it('fails its unit tests when any alert loses its `for` or fires below its threshold', async () => {
    const mutants: [string, (f: RulesFile) => void][] = [];
    for (const { alert, for: hold } of alerts) {
      if (hold !== undefined && hold !== '0s')
        mutants.push([`${alert} without for`, (f) => void delete ruleOf(f, alert).for]);
      mutants.push([
        `${alert} with its threshold at >= 0`,
        (f) => {
          const rule = ruleOf(f, alert);
          rule.expr = rule.expr.replace(COMPARISON, ' >= 0');
        },
      ]);
    }
    const runs = await Promise.all(mutants.map(([, change]) => testMutant(change)));
    const survivors = mutants.filter((_, i) => runs[i]?.code === 0).map(([name]) => name);
    expect(survivors, 'changes to the rules that the unit tests did not notice').toEqual([]);
  });
});
