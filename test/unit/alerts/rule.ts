/** A rule with neutral defaults (feature_psi > 0.2, no `for`, no hysteresis) for the alert tests. */
import type { AlertRule } from '../../../src/alerts/types.js';

export function rule(overrides: Partial<AlertRule> = {}): AlertRule {
  return {
    name: 'test_rule',
    signal: 'feature_psi',
    comparison: '>',
    threshold: 0.2,
    models: ['*'],
    features: ['*'],
    forMs: 0,
    resolveHysteresis: 0,
    severity: 'warning',
    labels: {},
    summary: '',
    description: '',
    runbookUrl: null,
    ...overrides,
  };
}
