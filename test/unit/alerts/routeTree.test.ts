import { describe, expect, it } from 'vitest';

import { parseMatcher } from '../../../src/alerts/matchers.js';
import { groupKey, groupLabels, matchRoutes } from '../../../src/alerts/routeTree.js';
import type { RouteMatch } from '../../../src/alerts/routeTree.js';
import type { Route } from '../../../src/alerts/types.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * A tree as the config loader hands it over: inheritance already resolved, so a child that set
 * nothing but a receiver carries its parent's timings and group_by.
 */
function route(fields: Partial<Omit<Route, 'matchers'>> & { matchers?: string[] }, parent?: Route): Route {
  const base: Route = parent ?? {
    receiver: 'default-email',
    matchers: [],
    continue: false,
    groupBy: ['alertname'],
    groupWaitMs: 30 * SECOND,
    groupIntervalMs: 5 * MINUTE,
    repeatIntervalMs: 4 * HOUR,
    routes: [],
  };
  const { matchers = [], ...own } = fields;
  return { ...base, continue: false, routes: [], ...own, matchers: matchers.map(parseMatcher) };
}

const rootDefaults = route({});
const critical = route(
  {
    receiver: 'oncall-pager',
    matchers: ['severity="critical"'],
    continue: true,
    groupBy: ['alertname', 'model'],
    groupWaitMs: 10 * SECOND,
  },
  rootDefaults,
);
const fraudCritical = route({ receiver: 'fraud-pager', matchers: ['model=~"fraud.*"'] }, critical);
const tree: Route = {
  ...rootDefaults,
  routes: [
    { ...critical, routes: [fraudCritical] },
    route({ receiver: 'ml-team', matchers: ['team="ml"'], repeatIntervalMs: 12 * HOUR }, rootDefaults),
    // Shadowed by the one above for team=ml alerts: the first match without continue wins.
    route({ receiver: 'never', matchers: ['team=~"ml|data"'] }, rootDefaults),
  ],
};

describe('matchRoutes', () => {
  it('sends an alert no child matches to the root, the default route', () => {
    expect(matchRoutes(tree, { alertname: 'FeatureDrift', model: 'churn', severity: 'warning' })).toEqual([
      {
        receiver: 'default-email',
        groupBy: ['alertname'],
        groupWaitMs: 30 * SECOND,
        groupIntervalMs: 5 * MINUTE,
        repeatIntervalMs: 4 * HOUR,
        path: [],
      },
    ]);
  });

  it('stops at the first matching child without continue', () => {
    const matched = matchRoutes(tree, { alertname: 'FeatureDrift', model: 'churn', team: 'ml' });
    expect(matched.map((m) => [m.receiver, m.path])).toEqual([['ml-team', [1]]]);
    expect(matched[0]!.repeatIntervalMs).toBe(12 * HOUR);
    // Inherited as resolved by the loader.
    expect(matched[0]!.groupWaitMs).toBe(30 * SECOND);
  });

  it('descends into nested routes, then goes on to the siblings of a continue route', () => {
    const matched = matchRoutes(tree, {
      alertname: 'FeatureDrift',
      model: 'fraud-v2',
      severity: 'critical',
      team: 'ml',
    });
    expect(matched).toEqual([
      {
        receiver: 'fraud-pager',
        groupBy: ['alertname', 'model'],
        groupWaitMs: 10 * SECOND,
        groupIntervalMs: 5 * MINUTE,
        repeatIntervalMs: 4 * HOUR,
        path: [0, 0],
      },
      {
        receiver: 'ml-team',
        groupBy: ['alertname'],
        groupWaitMs: 30 * SECOND,
        groupIntervalMs: 5 * MINUTE,
        repeatIntervalMs: 12 * HOUR,
        path: [1],
      },
    ]);
  });

  it('takes a matching node whose children do not match as the match', () => {
    const matched = matchRoutes(tree, { alertname: 'ErrorRate', model: 'churn', severity: 'critical' });
    expect(matched.map((m) => [m.receiver, m.path, m.groupWaitMs])).toEqual([
      ['oncall-pager', [0], 10 * SECOND],
    ]);
  });

  it('reaches the route after a continue route even when the continue route matched deep', () => {
    const matched = matchRoutes(tree, {
      alertname: 'FeatureDrift',
      model: 'fraud',
      severity: 'critical',
      team: 'data',
    });
    expect(matched.map((m) => m.receiver)).toEqual(['fraud-pager', 'never']);
  });

  it('does not consult the root matchers: the root always matches', () => {
    const strictRoot: Route = { ...tree, matchers: [parseMatcher('never="true"')] };
    expect(matchRoutes(strictRoot, { alertname: 'X' }).map((m) => m.receiver)).toEqual(['default-email']);
  });

  it('with continue on every child, reaches each matching one', () => {
    const fanOut: Route = {
      ...rootDefaults,
      routes: [
        route({ receiver: 'a', matchers: ['model="fraud"'], continue: true }, rootDefaults),
        route({ receiver: 'b', matchers: ['model="churn"'], continue: true }, rootDefaults),
        route({ receiver: 'c', matchers: ['model=~".+"'], continue: true }, rootDefaults),
      ],
    };
    expect(matchRoutes(fanOut, { model: 'fraud' }).map((m) => m.receiver)).toEqual(['a', 'c']);
    // Only continue children matched, none stopped the walk, still at least one: no root fallback.
    expect(matchRoutes(fanOut, { model: 'churn' }).map((m) => m.receiver)).toEqual(['b', 'c']);
    expect(matchRoutes(fanOut, {}).map((m) => m.receiver)).toEqual(['default-email']);
  });
});

describe('group keys', () => {
  const atFraud: RouteMatch = {
    receiver: 'fraud-pager',
    groupBy: ['model', 'alertname'],
    groupWaitMs: 0,
    groupIntervalMs: 0,
    repeatIntervalMs: 0,
    path: [0, 0],
  };
  const labels = { alertname: 'FeatureDrift', model: 'fraud', feature: 'amount', severity: 'critical' };

  it('is the route path and the group_by labels, sorted', () => {
    expect(groupKey(atFraud, labels)).toBe('/0/0:{alertname="FeatureDrift",model="fraud"}');
    expect(groupLabels(atFraud, labels)).toEqual({ alertname: 'FeatureDrift', model: 'fraud' });
  });

  it('puts alerts that differ only outside group_by in one group', () => {
    expect(groupKey(atFraud, { ...labels, feature: 'country' })).toBe(groupKey(atFraud, labels));
    expect(groupKey(atFraud, { ...labels, model: 'fraud-v2' })).not.toBe(groupKey(atFraud, labels));
  });

  it('keeps routes apart', () => {
    expect(groupKey({ ...atFraud, path: [1] }, labels)).toBe('/1:{alertname="FeatureDrift",model="fraud"}');
    expect(groupKey({ ...atFraud, path: [] }, labels)).toBe('/:{alertname="FeatureDrift",model="fraud"}');
  });

  it('groups by every label with ...', () => {
    expect(groupKey({ ...atFraud, groupBy: ['...'] }, labels)).toBe(
      '/0/0:{alertname="FeatureDrift",feature="amount",model="fraud",severity="critical"}',
    );
  });

  it('leaves out missing and empty labels, as Alertmanager does', () => {
    expect(groupKey(atFraud, { alertname: 'ErrorRate' })).toBe('/0/0:{alertname="ErrorRate"}');
    expect(groupKey(atFraud, { alertname: 'ErrorRate', model: '' })).toBe('/0/0:{alertname="ErrorRate"}');
    expect(groupKey({ ...atFraud, groupBy: [] }, labels)).toBe('/0/0:{}');
  });

  it('writes values unambiguously', () => {
    const odd = { alertname: 'a",model="b', model: 'x' };
    expect(groupKey(atFraud, odd)).toBe('/0/0:{alertname="a\\",model=\\"b",model="x"}');
    expect(groupKey(atFraud, odd)).not.toBe(groupKey(atFraud, { alertname: 'a', model: 'b",model="x' }));
  });
});
