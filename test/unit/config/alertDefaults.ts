/**
 * The runtime `alerts` of a file without the section, with the default rules written out
 * literally, so that changing a default rule is a visible decision (defaults.ts holds them).
 */
import type { AlertRule } from '../../../src/alerts/types.js';
import type { AlertsConfig } from '../../../src/config/types.js';

const ALL = ['*'];

/** What `default_rules: true` adds, in this order. */
export const DEFAULT_RULES: readonly AlertRule[] = [
  {
    name: 'FeatureDrift',
    signal: 'feature_drift',
    comparison: '==',
    threshold: 1,
    models: ALL,
    features: ALL,
    forMs: 600_000,
    resolveHysteresis: 0,
    severity: 'warning',
    labels: {},
    summary: 'Feature {{feature}} of {{model}} has drifted',
    description:
      'The distribution of feature {{feature}} ({{source}} events) of model {{model}} in the window differs from its training baseline (docs/windows.md).',
    runbookUrl: null,
  },
  {
    name: 'FeaturePsiCritical',
    signal: 'feature_psi',
    comparison: '>',
    threshold: 0.5,
    models: ALL,
    features: ALL,
    forMs: 600_000,
    resolveHysteresis: 0.05,
    severity: 'critical',
    labels: {},
    summary: 'PSI of {{model}} feature {{feature}} is {{value}}',
    description:
      'The population stability index of feature {{feature}} ({{source}} events) of model {{model}} is {{value}}, above {{threshold}}: a major shift from the training baseline.',
    runbookUrl: null,
  },
  {
    name: 'HighErrorRate',
    signal: 'error_rate',
    comparison: '>',
    threshold: 0.05,
    models: ALL,
    features: ALL,
    forMs: 300_000,
    resolveHysteresis: 0.01,
    severity: 'critical',
    labels: {},
    summary: 'Error rate of {{model}} is {{value}}',
    description:
      'A share of {{value}} of the predictions of model {{model}} in the window failed, above {{threshold}}.',
    runbookUrl: null,
  },
  {
    name: 'SlowPredictions',
    signal: 'latency_p99_seconds',
    comparison: '>',
    threshold: 1,
    models: ALL,
    features: ALL,
    forMs: 600_000,
    resolveHysteresis: 0.1,
    severity: 'warning',
    labels: {},
    summary: 'p99 latency of {{model}} is {{value}}s',
    description:
      'The 99th percentile latency of model {{model}} in the window is {{value}}s, above {{threshold}}s.',
    runbookUrl: null,
  },
  {
    name: 'NoEvents',
    signal: 'seconds_since_last_event',
    comparison: '>',
    threshold: 900,
    models: ALL,
    features: ALL,
    forMs: 0,
    resolveHysteresis: 0,
    severity: 'warning',
    labels: {},
    summary: 'No events from {{model}} for {{value}}s',
    description:
      'No event of model {{model}} has arrived for {{value}} seconds (threshold {{threshold}}): the model or its event producer may be down.',
    runbookUrl: null,
  },
  {
    name: 'HighNullRatio',
    signal: 'feature_null_ratio',
    comparison: '>',
    threshold: 0.2,
    models: ALL,
    features: ALL,
    forMs: 900_000,
    resolveHysteresis: 0.02,
    severity: 'warning',
    labels: {},
    summary: 'Null ratio of {{model}} feature {{feature}} is {{value}}',
    description:
      'A share of {{value}} of the values of feature {{feature}} ({{source}} events) of model {{model}} in the window is null or missing, above {{threshold}}.',
    runbookUrl: null,
  },
];

/** `alerts` of a file without the section (or with an empty one). */
export const NO_ALERTS: AlertsConfig = {
  rules: DEFAULT_RULES,
  owners: [],
  schedules: [],
  route: null,
  inhibitRules: [],
  receivers: [],
  smtp: null,
  adminToken: null,
  resolvedNotifications: true,
  defaultRules: true,
  externalUrl: null,
  dashboardUrl: null,
  knownGoodAfterMs: 60 * 60 * 1000,
  delivery: {
    initialBackoffMs: 1000,
    maxBackoffMs: 5 * 60 * 1000,
    giveUpAfterMs: 24 * 60 * 60 * 1000,
    alertmanagerResendMs: 60 * 1000,
  },
};
