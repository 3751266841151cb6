/**
 * The alert engine: the effectful shell around the pure alert modules. After each evaluation round
 * it runs every rule (`ruleSamples` -> `AlertStates.update`), keeps the round's transitions for the
 * listeners (the notifiers: `firing` pages, `resolved` ends the page) and a bounded list of recent
 * ones, publishes `driftwatch_alerts`, answers `GET /api/v1/alerts`, and keeps the states in
 * `<state.directory>/alerts.json` so that a restart neither re-pages nor forgets a page.
 */
import type { Logger } from 'pino';

import type { EvaluationRound, EvaluationSink } from '../drift/evaluationLoop.js';
import type { Lifecycle } from '../pipeline/stage.js';
import type { AlertSeries } from '../telemetry/alertMetrics.js';
import { alertSeries } from '../telemetry/alertMetrics.js';
import { ruleSamples } from './signals.js';
import type { JsonStateFile } from '../state/jsonStateFile.js';
import { alertStateFile } from './stateFile.js';
import { AlertStates, type KeptState, type Transition } from './stateMachine.js';
import { renderAnnotations } from './templates.js';
import type { AlertRule, Labels } from './types.js';

/** How many transitions {@link AlertEngine.recentTransitions} keeps by default. */
export const DEFAULT_RECENT_TRANSITIONS = 1000;

export interface AlertEngineOptions {
  readonly rules: readonly AlertRule[];
  /** The state directory (`state.directory`): the states are kept in `alerts.json` there. */
  readonly directory: string;
  /** Processing time (epoch ms) of each model's last event (WindowStage.lastEventAt). */
  readonly lastEventAt: () => ReadonlyMap<string, number>;
  /** The configured model names: the gauge has a 0 series per rule and model in its scope. */
  readonly models: () => readonly string[];
  /** Takes the series of `driftwatch_alerts` (AlertMetrics.publish). */
  readonly publishSeries: (series: readonly AlertSeries[]) => void;
  readonly logger: Logger;
  /** Epoch ms for start, reload and the set-aside file name; Date.now by default. */
  readonly clock?: () => number;
  readonly recentTransitions?: number;
}

/** One alert of `GET /api/v1/alerts`; times RFC 3339. */
export interface AlertBody {
  readonly labels: Labels;
  readonly annotations: {
    readonly summary: string;
    readonly description: string;
    readonly runbook_url: string | null;
  };
  readonly state: KeptState;
  readonly value: number;
  readonly active_at: string;
  readonly fired_at: string | null;
  readonly resolved_at: string | null;
}

/** `GET /api/v1/alerts`. */
export interface AlertsBody {
  /** Pending, firing and recently resolved alerts, in label order. */
  readonly alerts: readonly AlertBody[];
  /** RFC 3339 time of the round the alerts were last evaluated at; null before the first. */
  readonly evaluated_at: string | null;
}

/** What the HTTP server reads to answer `GET /api/v1/alerts`. */
export interface AlertsReader {
  alertsBody(): AlertsBody;
}

/** Called with the transitions of a round or reload (never empty); must not throw, must not block. */
export type TransitionListener = (transitions: readonly Transition[]) => void;

/**
 * Built once by the composition root. `start` loads the saved states (before the evaluation loop
 * starts), `publish` is the loop's sink, `setRules` is called by reload, `stop` saves (after the loop
 * has stopped). Everything but `start`/`stop` is synchronous; saves run in the background, in order,
 * and a failed save is logged and tried again at the next change, never thrown.
 */
export class AlertEngine implements EvaluationSink, Lifecycle, AlertsReader {
  private readonly clock: () => number;
  private readonly file: JsonStateFile<AlertStates>;
  private readonly limit: number;
  private rules: readonly AlertRule[];
  private byName: Map<string, AlertRule>;
  private states = new AlertStates();
  private evaluatedAt: number | null = null;
  private readonly recent: Transition[] = [];
  private readonly listeners = new Set<TransitionListener>();

  constructor(private readonly options: AlertEngineOptions) {
    this.clock = options.clock ?? Date.now;
    this.file = alertStateFile(options.directory);
    this.limit = options.recentTransitions ?? DEFAULT_RECENT_TRANSITIONS;
    this.rules = options.rules;
    this.byName = new Map(options.rules.map((r) => [r.name, r]));
  }

  /** The file the states are kept in. */
  get path(): string {
    return this.file.path;
  }

  /**
   * Loads the saved states; a corrupt file is set aside and logged, and the engine starts with no
   * alerts. Alerts of rules deleted while the daemon was down end here (see `setRules`).
   */
  async start(): Promise<void> {
    const now = this.clock();
    const { logger } = this.options;
    try {
      const loaded = await this.file.load(now);
      if (loaded.status === 'loaded') {
        this.states = loaded.value;
        logger.info({ alerts: loaded.value.alerts().length }, 'restored the alert states');
      } else if (loaded.status === 'set_aside') {
        logger.error(
          { reason: loaded.reason, movedTo: loaded.movedTo },
          'the alert state file is unusable and was set aside; starting with no alerts',
        );
      }
    } catch (error) {
      logger.error({ err: error }, 'could not read the alert states; starting with no alerts');
    }
    this.record(this.states.retainRules(new Set(this.byName.keys()), now));
    this.publishSeries();
  }

  /** Saves the states as they stand and waits for every save; call after the loop has stopped. */
  async stop(): Promise<void> {
    this.save();
    await this.file.settled();
  }

  /** The evaluation loop's sink: runs every rule on the round. Never throws. */
  publish(round: EvaluationRound): void {
    const now = round.evaluatedAt;
    const lastEventAt = this.options.lastEventAt();
    const transitions: Transition[] = [];
    for (const rule of this.rules) {
      try {
        transitions.push(
          ...this.states.update(rule, ruleSamples(rule, round.evaluations, lastEventAt, now), now),
        );
      } catch (error) {
        this.options.logger.error({ err: error, rule: rule.name }, 'could not evaluate an alert rule');
      }
    }
    this.evaluatedAt = now;
    this.record(transitions);
    this.publishSeries();
  }

  /**
   * Replaces the rules (reload). Alerts of rules that are gone end: a firing one resolves, the
   * others are forgotten; a kept rule's alerts carry on under its new definition from the next
   * round. Returns those transitions (also handed to the listeners).
   */
  setRules(rules: readonly AlertRule[], now: number): Transition[] {
    this.rules = rules;
    this.byName = new Map(rules.map((r) => [r.name, r]));
    const transitions = this.states.retainRules(new Set(this.byName.keys()), now);
    this.record(transitions);
    this.publishSeries();
    return transitions;
  }

  /** Adds a listener of the transitions; returns the function that removes it. */
  onTransitions(listener: TransitionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The latest transitions, oldest first, at most `recentTransitions` of them. */
  recentTransitions(): readonly Transition[] {
    return [...this.recent];
  }

  /** Every kept alert (pending, firing, resolved), in fingerprint order; copies. */
  alerts(): ReturnType<AlertStates['alerts']> {
    return this.states.alerts();
  }

  /** Resolves when every save started so far has finished (for tests and shutdown). */
  saved(): Promise<void> {
    return this.file.settled();
  }

  /** The body of `GET /api/v1/alerts`. */
  alertsBody(): AlertsBody {
    const time = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
    return {
      alerts: this.states.alerts().map((alert) => {
        const rule = this.byName.get(alert.labels.alertname ?? '');
        const text = rule === undefined ? { summary: '', description: '' } : renderAnnotations(rule, alert);
        return {
          labels: alert.labels,
          annotations: { ...text, runbook_url: rule?.runbookUrl ?? null },
          state: alert.state,
          value: alert.value,
          active_at: new Date(alert.activeAt).toISOString(),
          fired_at: time(alert.firedAt),
          resolved_at: time(alert.resolvedAt),
        };
      }),
      evaluated_at: time(this.evaluatedAt),
    };
  }

  /** Keeps, logs, hands on and saves a batch of transitions; nothing when there is none. */
  private record(transitions: readonly Transition[]): void {
    if (transitions.length === 0) return;
    this.recent.push(...transitions);
    if (this.recent.length > this.limit) this.recent.splice(0, this.recent.length - this.limit);
    const { logger } = this.options;
    for (const t of transitions) {
      const notified = t.to === 'firing' || t.to === 'resolved';
      logger[notified ? 'info' : 'debug'](
        { alert: t.fingerprint, from: t.from, to: t.to, value: t.value },
        `alert ${t.to === 'inactive' ? 'ended' : t.to}`,
      );
    }
    for (const listener of this.listeners) {
      try {
        listener(transitions);
      } catch (error) {
        logger.error({ err: error }, 'an alert transition listener failed');
      }
    }
    this.save();
  }

  private save(): void {
    this.file.save(this.states).catch((error: unknown) => {
      this.options.logger.error(
        { err: error },
        'could not save the alert states; retrying at the next change',
      );
    });
  }

  private publishSeries(): void {
    this.options.publishSeries(alertSeries(this.rules, this.options.models(), this.states.alerts()));
  }
}
