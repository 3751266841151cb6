import { compareCodePoints } from '../stats/bins.js';
import { matchesAll } from './matchers.js';
import type { Labels, Route } from './types.js';

/**
 * The routing tree, Alertmanager's (https://prometheus.io/docs/alerting/latest/configuration/#route):
 * which receivers an alert goes to and how it is grouped there. Pure: no I/O, no clock.
 */

/** The `group_by` entry that groups by every label of the alert, as in Alertmanager. */
export const GROUP_BY_ALL = '...';

/**
 * One route an alert reached: where it is sent and how it is grouped and paced. The alert
 * dispatcher keeps one aggregation group per (match, `groupKey`).
 */
export interface RouteMatch {
  readonly receiver: string;
  readonly groupBy: readonly string[];
  readonly groupWaitMs: number;
  readonly groupIntervalMs: number;
  readonly repeatIntervalMs: number;
  /**
   * The child indices from the root to the matched node ([] for the root itself): which node
   * matched, stable while the tree is, so it can key groups and notification logs.
   */
  readonly path: readonly number[];
}

/**
 * The routes an alert with `labels` reaches, in order, by Alertmanager's depth-first walk
 * (`dispatch.Route.Match`): the root always matches (like Alertmanager, whose root may not have
 * matchers, its `matchers` are not consulted); at each matching node the children are tried in
 * order, and the first child whose matchers all match is descended into; the walk stops there
 * unless that child has `continue: true`, in which case the following siblings are tried too. A
 * matching node none of whose children match is itself the result. So the answer has at least
 * one entry (the root when nothing else matches: the default route), and several when
 * `continue` sends the alert on (e.g. to a team's receiver and to a catch-all audit receiver).
 *
 * Inheritance (a child without `receiver`, `group_by`, `group_wait`, ... takes its parent's) is
 * resolved by the config loader, which fills every field of every `Route`; this function only
 * reads the matched node's own fields.
 *
 * Called by the alert dispatcher for each alert that fires or resolves; pure, O(nodes visited).
 */
export function matchRoutes(root: Route, labels: Labels): RouteMatch[] {
  return walk(root, [], labels);
}

function walk(node: Route, path: readonly number[], labels: Labels): RouteMatch[] {
  const found: RouteMatch[] = [];
  for (let i = 0; i < node.routes.length; i++) {
    const child = node.routes[i]!;
    if (!matchesAll(child.matchers, labels)) continue;
    found.push(...walk(child, [...path, i], labels));
    if (!child.continue) break;
  }
  if (found.length > 0) return found;
  return [
    {
      receiver: node.receiver,
      groupBy: node.groupBy,
      groupWaitMs: node.groupWaitMs,
      groupIntervalMs: node.groupIntervalMs,
      repeatIntervalMs: node.repeatIntervalMs,
      path,
    },
  ];
}

/**
 * The labels an alert's group is made of at a route (Alertmanager's GroupLabels): the `group_by`
 * labels the alert has, or all of its labels when `group_by` holds `...`. A label that is missing
 * or empty is left out, as in Alertmanager, so an alert without `feature` groups with the other
 * alerts without it. Keys in code-point order. Pure; for `groupKey` and notification content.
 */
export function groupLabels(match: RouteMatch, labels: Labels): Record<string, string> {
  const names = match.groupBy.includes(GROUP_BY_ALL) ? Object.keys(labels) : [...new Set(match.groupBy)];
  names.sort(compareCodePoints);
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = labels[name];
    if (value !== undefined && value !== '') out[name] = value;
  }
  return out;
}

/**
 * The key of the aggregation group an alert joins at a route, like Alertmanager's
 * `route.Key() + ":" + groupLabels`: the route path (`/` for the root, `/0/2` for the root's
 * first child's third child) and the group labels, e.g. `/0:{alertname="DriftHigh",model="fraud"}`.
 * Values are written as JSON strings, so any value is unambiguous. Two alerts share a group
 * exactly when their keys are equal; the key is stable across restarts while the tree is, so
 * the notification log can be keyed by it.
 *
 * Called by the alert dispatcher after `matchRoutes`; pure.
 */
export function groupKey(match: RouteMatch, labels: Labels): string {
  const grouped = groupLabels(match, labels);
  const pairs = Object.entries(grouped).map(([name, value]) => `${name}=${JSON.stringify(value)}`);
  return `/${match.path.join('/')}:{${pairs.join(',')}}`;
}
