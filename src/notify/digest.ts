/**
 * What an owner's digest covers (docs/alerting.md, "Digests"): the models the owner owns, directly
 * or through a schedule in either role; each model's state at the latest evaluation; the alerts
 * firing now; and the alerts that fired or resolved in the period. Pure: the notifier passes the
 * latest round, the engine's recent transitions and the time; `renderDigest` makes the email.
 */
import type { Transition } from '../alerts/stateMachine.js';
import type { ModelConfig } from '../config/types.js';
import type { ModelEvaluation } from '../evaluate/types.js';
import type { AlertSnapshot } from './dispatcher.js';
import type { DigestInput, DigestModel, ModelContext } from './emailContent.js';
import type { RoutingConfig } from './routing.js';

/** The period of an owner's first digest, which has no previous one to start from. */
export const FIRST_DIGEST_PERIOD_MS = 24 * 60 * 60 * 1000;

/** What a digest is made from, as the notifier holds it when the owner's cron fires. */
export interface DigestSources {
  readonly config: RoutingConfig;
  /** The latest evaluation round's evaluations (empty before the first). */
  readonly evaluations: readonly ModelEvaluation[];
  /** The engine's recent transitions, oldest first. */
  readonly transitions: readonly Transition[];
  /** The firing and recently resolved alerts of the latest round. */
  readonly alerts: readonly AlertSnapshot[];
  readonly modelContext: (model: string) => ModelContext;
  readonly externalURL: string;
}

/** The models `owner` owns: its name, or a schedule naming it in business or after hours, in `models[].owner`. */
export function ownedModels(owner: string, config: RoutingConfig): ModelConfig[] {
  const schedules = new Set(
    config.alerts.schedules
      .filter((s) => s.businessHours === owner || s.afterHours === owner)
      .map((s) => s.name),
  );
  return config.models.filter((m) => m.owner !== null && (m.owner === owner || schedules.has(m.owner)));
}

/**
 * One model of a digest: `drift` when any of its evaluations (predictions, features) drifts, else
 * `ok` or `insufficient_data` from the predictions evaluation (the first one without it),
 * `not_evaluated` when the round has none; the drifted features with their PSI (JS distance where
 * there is no PSI).
 */
export function digestModel(
  name: string,
  evaluations: readonly ModelEvaluation[],
  alerts: readonly AlertSnapshot[],
  context: ModelContext,
): DigestModel {
  const own = evaluations.filter((e) => e.model === name);
  const evaluation = own.find((e) => e.source === 'predictions') ?? own[0];
  const status =
    evaluation === undefined
      ? 'not_evaluated'
      : own.some((e) => e.drift)
        ? 'drift'
        : evaluation.drift_share === null
          ? 'insufficient_data'
          : 'ok';
  return {
    name,
    version: context.version,
    lastGoodVersion: context.lastGoodVersion,
    status,
    driftShare: evaluation?.drift_share ?? null,
    driftedFeatures: own.flatMap((e) =>
      e.features
        .filter((f) => f.verdict === 'drift')
        .map((f) => ({
          source: e.source,
          feature: f.feature,
          statistic: f.psi !== null ? 'psi' : 'js_distance',
          value: f.psi ?? f.js_distance,
        })),
    ),
    firing: alerts.filter((a) => a.state === 'firing' && a.labels.model === name),
  };
}

/**
 * The digest of `owner` for the period (`from`, `to`]: its models and the firing and resolved
 * transitions of their alerts in the period. Times are shown in `timezone`.
 */
export function digestInput(
  owner: string,
  timezone: string,
  from: number,
  to: number,
  sources: DigestSources,
): DigestInput {
  const models = ownedModels(owner, sources.config);
  const names = new Set(models.map((m) => m.name));
  return {
    owner,
    from,
    to,
    models: models.map((m) =>
      digestModel(m.name, sources.evaluations, sources.alerts, sources.modelContext(m.name)),
    ),
    events: sources.transitions.flatMap((t) =>
      t.at > from &&
      t.at <= to &&
      (t.to === 'firing' || t.to === 'resolved') &&
      names.has(t.labels.model ?? '')
        ? [{ at: t.at, labels: t.labels, to: t.to, value: t.value }]
        : [],
    ),
    externalURL: sources.externalURL,
    timezone,
  };
}
