/**
 * The runtime types of alerting (PRODUCT.md §6, docs/alerting.md): rules, owners and schedules,
 * the routing tree, inhibition and silences, as the config loader produces them (camelCase; the
 * YAML is snake_case) and the pure alert modules take them. Durations are milliseconds.
 * Alertmanager's model is the reference: its users should feel at home.
 */

/** A set of labels: what an alert is, what routes and silences match on. */
export type Labels = Readonly<Record<string, string>>;

/** The quantities a rule can watch: any the evaluator produces. */
export const SIGNALS = [
  // per feature (labels model, source, feature)
  'feature_psi',
  'feature_ks_statistic',
  'feature_ks_pvalue',
  'feature_ks_pvalue_adjusted',
  'feature_chi2_pvalue',
  'feature_chi2_pvalue_adjusted',
  'feature_js_distance',
  /** 1 when the feature's verdict is drift, 0 when ok; no value while insufficient_data. */
  'feature_drift',
  'feature_null_ratio',
  'feature_out_of_range_ratio',
  'feature_unseen_ratio',
  // per model (labels model, and source for model_drift_share)
  'model_drift_share',
  'error_rate',
  'latency_p50_seconds',
  'latency_p95_seconds',
  'latency_p99_seconds',
  'throughput_per_second',
  'cost_per_inference',
  'cost_per_success',
  'seconds_since_last_event',
] as const;
export type Signal = (typeof SIGNALS)[number];

export const COMPARISONS = ['>', '>=', '<', '<=', '==', '!='] as const;
export type Comparison = (typeof COMPARISONS)[number];

export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** One alerting rule (config `alerts.rules[]`). */
export interface AlertRule {
  /** The `alertname` label; unique. */
  readonly name: string;
  readonly signal: Signal;
  readonly comparison: Comparison;
  readonly threshold: number;
  /** Globs (`*`, `?`) on model names; default ['*']. */
  readonly models: readonly string[];
  /** Globs on feature names (feature signals only); default ['*']. */
  readonly features: readonly string[];
  /** How long the condition must hold before the alert fires; 0 fires at once. */
  readonly forMs: number;
  /**
   * Resolve hysteresis: a firing alert resolves only when the value is past the threshold by this
   * much in the resolving direction (for `>`: value <= threshold - hysteresis). 0 = none.
   */
  readonly resolveHysteresis: number;
  readonly severity: Severity;
  /** Extra labels put on every alert of the rule. */
  readonly labels: Labels;
  /** Templates: `{{model}}`, `{{feature}}`, `{{source}}`, `{{value}}`, `{{threshold}}`, `{{signal}}`, `{{labels.X}}`. */
  readonly summary: string;
  readonly description: string;
  readonly runbookUrl: string | null;
}

/** How an owner is reached: receiver names (config `alerts.receivers`). */
export interface Owner {
  readonly name: string;
  /** Email addresses, for email receivers that send to the owner. */
  readonly email: readonly string[];
  /** Names of receivers (webhook, Alertmanager, email) that reach this owner. */
  readonly receivers: readonly string[];
  /** When the owner's digest email is sent; null = no digest. */
  readonly digest: Digest | null;
}

/** An owner's digest (`alerts.owners[].digest`): a node-cron expression in an IANA time zone. */
export interface Digest {
  readonly cron: string;
  readonly timezone: string;
}

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/**
 * Who owns a model when (config `alerts.schedules[]`): `businessHours` owner on the given weekdays
 * between `start` (inclusive) and `end` (exclusive), local time of `timezone` (IANA, e.g.
 * Europe/Berlin; daylight saving safe), `afterHours` owner otherwise.
 */
export interface Schedule {
  readonly name: string;
  readonly timezone: string;
  readonly days: readonly Weekday[];
  /** Minutes after local midnight, 0..1440. */
  readonly startMinute: number;
  readonly endMinute: number;
  readonly businessHours: string;
  readonly afterHours: string;
}

export const MATCH_OPERATORS = ['=', '!=', '=~', '!~'] as const;
export type MatchOperator = (typeof MATCH_OPERATORS)[number];

/** A label matcher, Alertmanager's: `=~` and `!~` take a regular expression anchored at both ends. */
export interface Matcher {
  readonly name: string;
  readonly operator: MatchOperator;
  readonly value: string;
}

/** A node of the routing tree (config `alerts.route`); children inherit unset fields. */
export interface Route {
  /** Receiver name; the root's is required, a child inherits its parent's. */
  readonly receiver: string;
  readonly matchers: readonly Matcher[];
  /** After this route matches, go on to its next siblings too. */
  readonly continue: boolean;
  /** Labels an alert group is made of; ['...'] groups by every label. */
  readonly groupBy: readonly string[];
  readonly groupWaitMs: number;
  readonly groupIntervalMs: number;
  readonly repeatIntervalMs: number;
  readonly routes: readonly Route[];
}

/** Alertmanager's inhibit rule: a firing source alert mutes target alerts equal on `equal`. */
export interface InhibitRule {
  readonly sourceMatchers: readonly Matcher[];
  readonly targetMatchers: readonly Matcher[];
  readonly equal: readonly string[];
}

/** A silence: alerts matching every matcher are muted between startsAt and endsAt (epoch ms). */
export interface Silence {
  readonly id: string;
  readonly matchers: readonly Matcher[];
  readonly startsAt: number;
  readonly endsAt: number;
  readonly createdBy: string;
  readonly comment: string;
}
