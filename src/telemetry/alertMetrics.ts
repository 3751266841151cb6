/**
 * `driftwatch_alerts{alertname, model, severity, state}` (PRODUCT.md §6): how many alerts of each
 * rule and model are pending and firing, Prometheus's `ALERTS` counted per model.
 *
 * Every rule has a series for every configured model in its scope, in both states, 0 while it has
 * no alert there: a query such as `sum by (model) (driftwatch_alerts{state="firing"})` returns 0
 * rather than no data when nothing fires, and a dashboard can tell "no alert" from "not running".
 * Series of rules or models no longer configured are removed (unless an alert of theirs is still
 * pending or firing). Resolved alerts are not counted. Label values are bounded by the config: rule
 * names, model names and severities.
 */
import { Gauge, type GaugeConfiguration, type Registry } from 'prom-client';

import { globMatcher } from '../alerts/signals.js';
import type { AlertInstance } from '../alerts/stateMachine.js';
import type { AlertRule } from '../alerts/types.js';
import { compareCodePoints } from '../stats/bins.js';

/** The states the gauge counts. */
export const COUNTED_ALERT_STATES = ['pending', 'firing'] as const;

type AlertLabel = 'alertname' | 'model' | 'severity' | 'state';

/** One series of `driftwatch_alerts`. Plain data. */
export interface AlertSeries {
  readonly labels: Readonly<Record<AlertLabel, string>>;
  readonly value: number;
}

/**
 * The series of `driftwatch_alerts` for `rules`, the configured `models` and the `alerts` kept by
 * the state machine: 0 for each rule, model in its scope and counted state, plus the count of the
 * alerts (an alert's own `alertname`, `model` and `severity` labels, so an alert of a model removed
 * from the config still counts until it ends). Sorted by alertname, model, severity, state. Called
 * by the alert engine after each round and reload; pure.
 */
export function alertSeries(
  rules: readonly AlertRule[],
  models: readonly string[],
  alerts: readonly AlertInstance[],
): AlertSeries[] {
  const counts = new Map<string, { labels: Record<AlertLabel, string>; value: number }>();
  const slot = (alertname: string, model: string, severity: string, state: string) => {
    const key = JSON.stringify([alertname, model, severity, state]);
    let entry = counts.get(key);
    if (entry === undefined) {
      entry = { labels: { alertname, model, severity, state }, value: 0 };
      counts.set(key, entry);
    }
    return entry;
  };
  for (const rule of rules) {
    const inScope = globMatcher(rule.models);
    for (const model of models) {
      if (!inScope(model)) continue;
      for (const state of COUNTED_ALERT_STATES) slot(rule.name, model, rule.severity, state);
    }
  }
  for (const alert of alerts) {
    if (alert.state === 'resolved') continue;
    const { alertname = '', model = '', severity = '' } = alert.labels;
    slot(alertname, model, severity, alert.state).value++;
  }
  return [...counts.entries()].sort(([a], [b]) => compareCodePoints(a, b)).map(([, entry]) => entry);
}

/** A gauge whose series are the last published list, read at scrape time (as driftMetrics' RoundGauge). */
class ListGauge extends Gauge<AlertLabel> {
  constructor(
    configuration: GaugeConfiguration<AlertLabel>,
    private readonly series: () => readonly AlertSeries[],
  ) {
    super(configuration);
  }

  override async get(): Promise<Awaited<ReturnType<Gauge<AlertLabel>['get']>>> {
    const snapshot = await super.get();
    return { ...snapshot, values: this.series().map((s) => ({ labels: { ...s.labels }, value: s.value })) };
  }
}

/**
 * The alert gauge. Created once by the composition root on its registry; `publish` is called by
 * the alert engine whenever the alerts or the rules change. A scrape sees the last list whole.
 */
export class AlertMetrics {
  private series: readonly AlertSeries[] = [];

  constructor(registry: Registry) {
    new ListGauge(
      {
        name: 'driftwatch_alerts',
        help: 'Alerts of each rule and model by state (pending, firing); 0 for a rule and model in its scope without one.',
        labelNames: ['alertname', 'model', 'severity', 'state'],
        registers: [registry],
      },
      () => this.series,
    );
  }

  /** Replaces every series with `series` (what {@link alertSeries} returns); a label set not in it is gone. */
  publish(series: readonly AlertSeries[]): void {
    this.series = series;
  }
}
