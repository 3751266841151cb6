import { matchesAll } from './matchers.js';
import type { InhibitRule, Labels } from './types.js';

/**
 * Inhibition, Alertmanager's (https://prometheus.io/docs/alerting/latest/configuration/#inhibit_rule):
 * a firing alert mutes the alerts it makes redundant, e.g. a critical alert its warning twin.
 * Pure: no I/O, no clock.
 */

/**
 * Whether the alert with labels `target` is muted by one of `firing` under `rules`, as
 * Alertmanager's `Inhibitor.Mutes` decides it: for some rule, the target matches the rule's
 * `targetMatchers`, and some firing alert (the source) matches its `sourceMatchers` and has the
 * same value as the target for every label in `equal`. A label missing on both counts as equal
 * (both read as the empty string, as in Alertmanager), so `equal: [feature]` lets a model-level
 * alert mute a model-level one.
 *
 * An alert never mutes itself, nor does one alert of a rule's overlap mute another: as in
 * Alertmanager, when the target also matches the rule's source matchers, sources that also match
 * its target matchers are skipped. That covers the target itself (it matches both sides), and
 * keeps a rule whose two sides overlap from making two alerts mute each other and go unheard.
 *
 * `firing` are the alerts firing now (not pending, not resolved); whether a source is itself
 * silenced or inhibited does not matter, as in Alertmanager. Called by the notification pipeline
 * before each notification; pure, O(rules x firing).
 */
export function isInhibited(
  target: Labels,
  firing: readonly Labels[],
  rules: readonly InhibitRule[],
): boolean {
  for (const rule of rules) {
    if (!matchesAll(rule.targetMatchers, target)) continue;
    const twoSided = matchesAll(rule.sourceMatchers, target);
    for (const source of firing) {
      if (!matchesAll(rule.sourceMatchers, source)) continue;
      if (twoSided && matchesAll(rule.targetMatchers, source)) continue;
      if (rule.equal.every((name) => (source[name] ?? '') === (target[name] ?? ''))) return true;
    }
  }
  return false;
}
