/**
 * The alert state machine, Prometheus's (rules/alerting.go): per rule and label set, an alert is
 * inactive -> pending (the condition holds) -> firing (it held for `for`) -> resolved, kept a while
 * after resolving so receivers and the API can see it end, then forgotten. driftwatch adds a resolve
 * hysteresis (AlertRule.resolveHysteresis) so that a value hovering at the threshold does not flap.
 *
 * Pure: the clock is passed in (`now`, epoch ms); the state is plain data, serialisable to JSON,
 * so the daemon can persist it and a restart neither re-pages nor forgets a page.
 */

import { isRecord, StateDataError } from '../state/stateData.js';
import { compareCodePoints } from '../stats/bins.js';
import type { Sample } from './signals.js';
import type { AlertRule, Comparison, Labels } from './types.js';

/** `inactive` is no alert at all: the state before the first and after the last transition. */
export type AlertState = 'inactive' | 'pending' | 'firing' | 'resolved';

/** The states an alert is kept in. */
export const KEPT_STATES = ['pending', 'firing', 'resolved'] as const;
export type KeptState = (typeof KEPT_STATES)[number];

/**
 * How long a resolved alert is kept before it is forgotten: Prometheus's `resolvedRetention`
 * (15 minutes), long enough for a notifier that was down for a few minutes to still send the
 * resolved notification, and for the status API to show what just ended.
 */
export const RESOLVED_RETENTION_MS = 15 * 60 * 1000;

/** The version of {@link AlertStatesJSON}; bumped on an incompatible change. */
export const ALERT_STATES_VERSION = 1;

/**
 * One alert: a rule's label set that is pending, firing, or resolved within the retention. What
 * `AlertStates.alerts()` returns for the `driftwatch_alerts{alertname,model,severity,state}` gauge,
 * the status API and the notifiers. Plain, frozen data.
 */
export interface AlertInstance {
  /** {@link fingerprint} of `labels`. */
  readonly fingerprint: string;
  readonly labels: Labels;
  readonly state: KeptState;
  /** The latest value seen (the last one, once its sample has disappeared). */
  readonly value: number;
  /** When the condition started to hold in this episode (Prometheus's `activeAt`). */
  readonly activeAt: number;
  /** When it started firing; null while pending. */
  readonly firedAt: number | null;
  /** When it resolved; null unless resolved. */
  readonly resolvedAt: number | null;
  /** The last `update` that saw its rule. */
  readonly lastEvaluatedAt: number;
}

/**
 * One change of an alert's state, returned by `update` for the notifiers (`to: 'firing'` pages,
 * `to: 'resolved'` sends the resolved notification; the others are for logs and counters, never
 * notified: a pending alert that stops holding drops silently, as in Prometheus).
 */
export interface Transition {
  readonly fingerprint: string;
  readonly labels: Labels;
  readonly from: AlertState;
  readonly to: AlertState;
  /** The sample's value at this evaluation; null when there was none (it disappeared, retention). */
  readonly value: number | null;
  readonly at: number;
}

/** What `toJSON` returns and `fromJSON` takes: plain JSON, in fingerprint order. */
export interface AlertStatesJSON {
  readonly version: typeof ALERT_STATES_VERSION;
  readonly alerts: readonly AlertInstance[];
}

/**
 * A stable string naming a label set: the labels sorted by name (code point order, independent of
 * locale and insertion order), as `{name="value", ...}` with JSON-quoted values, the notation of
 * Prometheus. Alertmanager hashes the same sorted pairs; a readable string serves as a key here and
 * in the persisted state. Called by the state machine, grouping and silences.
 */
export function fingerprint(labels: Labels): string {
  const names = Object.keys(labels).sort(compareCodePoints);
  return `{${names.map((name) => `${quoteName(name)}=${JSON.stringify(labels[name])}`).join(', ')}}`;
}

// Label names are [a-zA-Z_][a-zA-Z0-9_]* once validated; anything else is quoted so that no two
// label sets share a fingerprint even before validation.
function quoteName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : JSON.stringify(name);
}

/**
 * Whether `value` meets `comparison threshold` (the rule's condition). `==` and `!=` are exact, as
 * in PromQL; NaN meets nothing. Pure.
 */
export function conditionHolds(value: number, comparison: Comparison, threshold: number): boolean {
  switch (comparison) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '==':
      return value === threshold;
    case '!=':
      return !Number.isNaN(value) && value !== threshold;
  }
}

/**
 * Whether a firing alert's `value` is far enough past the threshold to resolve: by
 * `resolveHysteresis` in the resolving direction (`>`: value <= threshold - h; `>=`: value <
 * threshold - h; `<`: value >= threshold + h; `<=`: value > threshold + h; `==`: |value -
 * threshold| > h). `!=` resolves when the value equals the threshold: there is no direction to
 * add a margin in. With h = 0 this is exactly "the condition no longer holds". A negative h counts
 * as 0 (the config refuses one): a margin on the wrong side would resolve alerts whose condition
 * still holds, and they would re-fire at the next evaluation. Pure.
 */
export function resolves(value: number, rule: AlertRule): boolean {
  const h = Math.max(0, rule.resolveHysteresis);
  const t = rule.threshold;
  switch (rule.comparison) {
    case '>':
      return value <= t - h;
    case '>=':
      return value < t - h;
    case '<':
      return value >= t + h;
    case '<=':
      return value > t + h;
    case '==':
      return Math.abs(value - t) > h;
    case '!=':
      return value === t;
  }
}

interface MutableAlert {
  fingerprint: string;
  labels: Labels;
  state: KeptState;
  value: number;
  activeAt: number;
  firedAt: number | null;
  resolvedAt: number | null;
  lastEvaluatedAt: number;
}

/**
 * Every rule's alerts. One instance lives in the daemon; after each evaluation round it calls
 * `update(rule, ruleSamples(rule, ...), now)` once per rule and hands the transitions to the
 * notifiers, and persists `toJSON()` when it checkpoints. Every method is synchronous and returns
 * copies, so a snapshot never changes under its reader. `now` should not go backwards; if it does,
 * a pending alert waits longer and a resolved one is kept longer: nothing fires early.
 */
export class AlertStates {
  readonly #alerts = new Map<string, MutableAlert>();

  /**
   * Applies one evaluation of `rule`: `samples` are its label sets with a value now (from
   * `ruleSamples`; all must carry `alertname` = rule.name). Returns the transitions in fingerprint
   * order:
   * - a sample meeting the condition: inactive -> pending (activeAt = now), or straight to firing
   *   when `forMs` is 0; pending -> firing once now - activeAt >= forMs; resolved -> pending/firing
   *   as a new episode (new activeAt);
   * - a firing alert resolves (resolvedAt = now) when its value passes the hysteresis
   *   ({@link resolves}) or its sample is gone; between the threshold and the hysteresis it stays
   *   firing with the new value;
   * - a pending alert whose condition stops holding, or whose sample is gone, is dropped
   *   (-> inactive, not notified);
   * - a resolved alert is forgotten (-> inactive) once RESOLVED_RETENTION_MS have passed.
   * @throws TypeError when a sample's alertname is not the rule's (a caller's bug).
   */
  update(rule: AlertRule, samples: readonly Sample[], now: number): Transition[] {
    const transitions: Transition[] = [];
    const move = (alert: MutableAlert, to: AlertState, value: number | null): void => {
      transitions.push({
        fingerprint: alert.fingerprint,
        labels: alert.labels,
        from: alert.state,
        to,
        value,
        at: now,
      });
      if (to === 'inactive') this.#alerts.delete(alert.fingerprint);
      else alert.state = to;
    };

    const current = new Map<string, Sample>();
    for (const sample of samples) {
      if (sample.labels.alertname !== rule.name) {
        throw new TypeError(
          `a sample of alert ${JSON.stringify(sample.labels.alertname)} passed to rule ${JSON.stringify(rule.name)}`,
        );
      }
      if (!Number.isFinite(sample.value)) continue;
      const key = fingerprint(sample.labels);
      if (!current.has(key)) current.set(key, sample);
    }

    // New episodes first: an alert seen for the first time, or again after it resolved.
    const started = new Set<string>();
    for (const [key, sample] of current) {
      const known = this.#alerts.get(key);
      if (known !== undefined && known.state !== 'resolved') continue;
      if (!conditionHolds(sample.value, rule.comparison, rule.threshold)) continue;
      const firesAtOnce = rule.forMs <= 0;
      const alert: MutableAlert = {
        fingerprint: key,
        labels: Object.freeze({ ...sample.labels }),
        state: firesAtOnce ? 'firing' : 'pending',
        value: sample.value,
        activeAt: now,
        firedAt: firesAtOnce ? now : null,
        resolvedAt: null,
        lastEvaluatedAt: now,
      };
      this.#alerts.set(key, alert);
      started.add(key);
      transitions.push({
        fingerprint: key,
        labels: alert.labels,
        from: known === undefined ? 'inactive' : 'resolved',
        to: alert.state,
        value: sample.value,
        at: now,
      });
    }

    for (const alert of [...this.#alerts.values()]) {
      if (alert.labels.alertname !== rule.name || started.has(alert.fingerprint)) continue;
      const sample = current.get(alert.fingerprint);
      alert.lastEvaluatedAt = now;
      switch (alert.state) {
        case 'pending':
          if (sample === undefined || !conditionHolds(sample.value, rule.comparison, rule.threshold)) {
            move(alert, 'inactive', sample?.value ?? null);
          } else {
            alert.value = sample.value;
            if (now - alert.activeAt >= rule.forMs) {
              alert.firedAt = now;
              move(alert, 'firing', sample.value);
            }
          }
          break;
        case 'firing':
          if (sample !== undefined) alert.value = sample.value;
          if (sample === undefined || resolves(sample.value, rule)) {
            alert.resolvedAt = now;
            move(alert, 'resolved', sample?.value ?? null);
          }
          break;
        case 'resolved':
          // The condition does not hold (or a new episode would have started above): keep the
          // last value of the episode, which is what its resolved notification showed.
          if (now - (alert.resolvedAt ?? now) >= RESOLVED_RETENTION_MS) move(alert, 'inactive', null);
          break;
      }
    }
    return transitions.sort((a, b) => compareCodePoints(a.fingerprint, b.fingerprint));
  }

  /**
   * Forgets the alerts of rules not in `ruleNames`: called after a config reload, since a deleted
   * rule is never updated again. Its firing alerts resolve (-> resolved, so receivers hear that they
   * ended) and are forgotten with the others at once. Returns those transitions.
   */
  retainRules(ruleNames: ReadonlySet<string>, now: number): Transition[] {
    const transitions: Transition[] = [];
    for (const [key, alert] of [...this.#alerts]) {
      const name = alert.labels.alertname;
      if (name !== undefined && ruleNames.has(name)) continue;
      const to: AlertState = alert.state === 'firing' ? 'resolved' : 'inactive';
      transitions.push({
        fingerprint: key,
        labels: alert.labels,
        from: alert.state,
        to,
        value: null,
        at: now,
      });
      this.#alerts.delete(key);
    }
    return transitions.sort((a, b) => compareCodePoints(a.fingerprint, b.fingerprint));
  }

  /** Every kept alert (pending, firing, resolved), in fingerprint order; copies, safe to keep. */
  alerts(): AlertInstance[] {
    return [...this.#alerts.values()]
      .sort((a, b) => compareCodePoints(a.fingerprint, b.fingerprint))
      .map((alert) => Object.freeze({ ...alert }));
  }

  /** One alert by fingerprint, or undefined. */
  get(key: string): AlertInstance | undefined {
    const alert = this.#alerts.get(key);
    return alert === undefined ? undefined : Object.freeze({ ...alert });
  }

  /** The state to persist; `JSON.stringify(states)` calls it. */
  toJSON(): AlertStatesJSON {
    return { version: ALERT_STATES_VERSION, alerts: this.alerts() };
  }

  /**
   * The states saved by `toJSON` (already parsed from JSON). Called by the daemon on start.
   * @throws StateDataError naming the first bad key, for data that is not such a state.
   */
  static fromJSON(data: unknown): AlertStates {
    const states = new AlertStates();
    if (!isRecord(data))
      throw new StateDataError(`expected an object with "version" and "alerts", got ${describe(data)}`);
    if (data.version !== ALERT_STATES_VERSION) {
      throw new StateDataError(
        `version: expected ${ALERT_STATES_VERSION}, got ${describe(data.version)}; this file was written by another driftwatch version`,
      );
    }
    if (!Array.isArray(data.alerts))
      throw new StateDataError(`alerts: expected an array, got ${describe(data.alerts)}`);
    data.alerts.forEach((item: unknown, i) => {
      const alert = parseAlert(item, `alerts[${i}]`);
      if (states.#alerts.has(alert.fingerprint)) {
        throw new StateDataError(`alerts[${i}]: a second alert with labels ${alert.fingerprint}`);
      }
      states.#alerts.set(alert.fingerprint, alert);
    });
    return states;
  }
}

function parseAlert(item: unknown, where: string): MutableAlert {
  if (!isRecord(item)) throw new StateDataError(`${where}: expected an object, got ${describe(item)}`);
  const { labels, state, value, activeAt, firedAt, resolvedAt, lastEvaluatedAt } = item;
  if (!isRecord(labels) || !Object.values(labels).every((v) => typeof v === 'string')) {
    throw new StateDataError(`${where}.labels: expected an object of strings, got ${describe(labels)}`);
  }
  if (typeof labels.alertname !== 'string') throw new StateDataError(`${where}.labels.alertname is missing`);
  if (typeof state !== 'string' || !(KEPT_STATES as readonly string[]).includes(state)) {
    throw new StateDataError(
      `${where}.state: expected one of ${KEPT_STATES.join(', ')}, got ${describe(state)}`,
    );
  }
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new StateDataError(`${where}.value: expected a number, got ${describe(value)}`);
  const time = (key: string, x: unknown, nullable: boolean): number | null => {
    if (nullable && x === null) return null;
    if (typeof x === 'number' && Number.isFinite(x)) return x;
    throw new StateDataError(
      `${where}.${key}: expected epoch milliseconds${nullable ? ' or null' : ''}, got ${describe(x)}`,
    );
  };
  const alert: MutableAlert = {
    fingerprint: fingerprint(labels as Labels),
    labels: Object.freeze({ ...(labels as Labels) }),
    state: state as KeptState,
    value,
    activeAt: time('activeAt', activeAt, false)!,
    firedAt: time('firedAt', firedAt, true),
    resolvedAt: time('resolvedAt', resolvedAt, true),
    lastEvaluatedAt: time('lastEvaluatedAt', lastEvaluatedAt, false)!,
  };
  if ((alert.state === 'pending') !== (alert.firedAt === null)) {
    throw new StateDataError(
      `${where}.firedAt: a ${alert.state} alert ${alert.state === 'pending' ? 'has no' : 'needs a'} firedAt`,
    );
  }
  if ((alert.state === 'resolved') !== (alert.resolvedAt !== null)) {
    throw new StateDataError(
      `${where}.resolvedAt: a ${alert.state} alert ${alert.state === 'resolved' ? 'needs a' : 'has no'} resolvedAt`,
    );
  }
  return alert;
}

function describe(x: unknown): string {
  if (x === undefined) return 'nothing';
  const text = JSON.stringify(x) ?? String(x);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
