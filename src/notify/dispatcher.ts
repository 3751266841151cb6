import { isInhibited } from '../alerts/inhibit.js';
import { groupKey, groupLabels, matchRoutes } from '../alerts/routeTree.js';
import type { InhibitRule, Labels, Route } from '../alerts/types.js';
import { isRecord, StateDataError } from '../state/stateData.js';
import { compareCodePoints } from '../stats/bins.js';

/**
 * The notification dispatcher, Alertmanager's dispatcher and aggregation groups
 * (https://prometheus.io/docs/alerting/latest/configuration/#route, `dispatch/dispatch.go`) and its
 * dedup stage (`notify.DedupStage`): it decides WHAT to send WHEN, never sends. Pure: no I/O, no
 * clock (`now` is epoch ms), plain-data state through `toJSON` / `fromJSON`.
 */

/** One alert as the engine holds it after a round: firing, or recently resolved. Plain data. */
export interface AlertSnapshot {
  readonly fingerprint: string;
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly state: 'firing' | 'resolved';
  /** When this episode started firing (epoch ms). */
  readonly startsAt: number;
  /** When it resolved; null while firing. */
  readonly endsAt: number | null;
  readonly value: number;
}

/** What one receiver is to be told about one aggregation group. */
export interface Notification {
  readonly receiver: string;
  readonly groupKey: string;
  readonly groupLabels: Labels;
  /** Firing and resolved alerts, muted ones left out; by startsAt, then fingerprint. */
  readonly alerts: readonly AlertSnapshot[];
  /** 'resolved' when every alert in it is resolved. */
  readonly status: 'firing' | 'resolved';
}

/** What the dispatcher is built from: `AlertsConfig.route`, `inhibitRules`, `resolvedNotifications`. */
export interface DispatcherOptions {
  readonly route: Route;
  readonly inhibitRules: readonly InhibitRule[];
  readonly resolvedNotifications: boolean;
  /**
   * Receivers that take every alert as it is, ungrouped (Alertmanager receivers, which group on
   * their own): routes to them make no group here.
   */
  readonly forwarded?: ReadonlySet<string>;
}

/** The version of {@link DispatcherJSON}; `fromJSON` reads this version only. */
export const DISPATCHER_STATE_VERSION = 1;

/** What the receiver was last told about a group (Alertmanager's notification log entry). */
export interface SentEntry {
  readonly at: number;
  /** Alert keys (`fingerprint@startsAt`) notified as firing / as resolved. */
  readonly firing: readonly string[];
  readonly resolved: readonly string[];
}

/** One aggregation group, persisted. */
export interface GroupJSON {
  readonly groupKey: string;
  readonly receiver: string;
  readonly groupLabels: Labels;
  readonly groupIntervalMs: number;
  readonly repeatIntervalMs: number;
  /** When the group's timer comes next. */
  readonly nextFlushAt: number;
  readonly hasFlushed: boolean;
  /** A notification was handed out and neither `markSent` nor `markFailed` has come back. */
  readonly inFlight: boolean;
  readonly alerts: readonly AlertSnapshot[];
  readonly lastSent: SentEntry | null;
}

/** What `toJSON` returns and `fromJSON` takes: plain JSON, groups in key order. */
export interface DispatcherJSON {
  readonly version: typeof DISPATCHER_STATE_VERSION;
  readonly groups: readonly GroupJSON[];
}

interface Group {
  readonly groupKey: string;
  readonly receiver: string;
  readonly groupLabels: Labels;
  readonly groupIntervalMs: number;
  readonly repeatIntervalMs: number;
  nextFlushAt: number;
  hasFlushed: boolean;
  inFlight: boolean;
  alerts: Map<string, AlertSnapshot>;
  lastSent: SentEntry | null;
}

// An episode's identity: a new episode of the same label set is a new page, not a repeat.
function episodeKey(alert: AlertSnapshot): string {
  return `${alert.fingerprint}@${alert.startsAt}`;
}

function byStartThenFingerprint(a: AlertSnapshot, b: AlertSnapshot): number {
  if (a.startsAt !== b.startsAt) return a.startsAt - b.startsAt;
  return compareCodePoints(a.fingerprint, b.fingerprint);
}

/**
 * The aggregation groups of every route. Owned by the alert pipeline: it calls `update` after
 * each engine round, `due` when the timer of `nextWakeup` comes, hands each notification to the
 * delivery stage, and calls `markSent` or `markFailed` when that stage is done with it; it
 * persists `toJSON()` after each call so a restart neither re-pages nor forgets a page. Methods run
 * to completion synchronously: safe on Node's single thread, not to be shared between owners.
 */
export class Dispatcher {
  private readonly options: DispatcherOptions;
  private readonly groups = new Map<string, Group>();

  constructor(options: DispatcherOptions) {
    this.options = options;
  }

  /**
   * Takes the engine's alerts after a round (every firing alert and the recently resolved ones)
   * and files each into the group of every route it reaches (`matchRoutes`, `groupKey`). A new
   * group's first notification comes `group_wait` after it was created, or at once when its alert
   * started firing more than `group_wait` ago and the group has never flushed (as Alertmanager
   * does, so a restart does not hold back an old alert). An alert a group holds that the engine
   * no longer reports is taken as resolved now (Alertmanager resolves an alert not refreshed).
   */
  update(alerts: readonly AlertSnapshot[], now: number): void {
    const seen = new Map<string, Set<string>>();
    for (const alert of alerts) {
      for (const match of matchRoutes(this.options.route, alert.labels)) {
        if (this.options.forwarded?.has(match.receiver) === true) continue;
        const key = groupKey(match, alert.labels);
        let group = this.groups.get(key);
        if (group === undefined) {
          if (alert.state === 'resolved') continue; // a group is never created for news of an end
          group = {
            groupKey: key,
            receiver: match.receiver,
            groupLabels: groupLabels(match, alert.labels),
            groupIntervalMs: match.groupIntervalMs,
            repeatIntervalMs: match.repeatIntervalMs,
            nextFlushAt: now + match.groupWaitMs,
            hasFlushed: false,
            inFlight: false,
            alerts: new Map(),
            lastSent: null,
          };
          this.groups.set(key, group);
        }
        let fingerprints = seen.get(key);
        if (fingerprints === undefined) seen.set(key, (fingerprints = new Set()));
        fingerprints.add(alert.fingerprint);
        // A resolved alert only updates one the group holds: once told (or dropped) it has left,
        // and the engine reporting it for a while longer does not bring it back.
        if (alert.state === 'resolved' && !group.alerts.has(alert.fingerprint)) continue;
        group.alerts.set(alert.fingerprint, alert);
        if (!group.hasFlushed && alert.startsAt + match.groupWaitMs < now) {
          group.nextFlushAt = Math.min(group.nextFlushAt, now);
        }
      }
    }
    for (const [key, group] of this.groups) {
      const fingerprints = seen.get(key) ?? new Set<string>();
      for (const [fp, alert] of group.alerts) {
        if (!fingerprints.has(fp) && alert.state === 'firing') {
          group.alerts.set(fp, { ...alert, state: 'resolved', endsAt: now });
        }
      }
      if (group.alerts.size === 0 && !group.inFlight) this.groups.delete(key);
    }
  }

  /**
   * The notifications whose group timer has come (nextFlushAt <= now), in group key order. Each
   * group due is flushed as Alertmanager flushes an aggregation group: its timer moves on by
   * `group_interval`; silenced (`isSilenced`, e.g. `Silences.isSilenced` bound to now) and
   * inhibited alerts are left out (the inhibiting sources are every firing alert); and a
   * notification is made only when Alertmanager's dedup stage would send: nothing sent before and
   * something firing, a firing alert the receiver has not heard of, all alerts resolved after a
   * firing notification, a resolved alert not yet told (with `resolvedNotifications`), or the
   * last notification older than `repeat_interval`. Without `resolvedNotifications` resolved
   * alerts are dropped from the content. A group with nothing to send is done at once (its
   * resolved alerts leave it); one with a notification waits for `markSent` / `markFailed` and is
   * not due again meanwhile.
   */
  due(now: number, isSilenced: (labels: Labels) => boolean): Notification[] {
    const firingLabels: Labels[] = [];
    for (const group of this.groups.values()) {
      for (const alert of group.alerts.values())
        if (alert.state === 'firing') firingLabels.push(alert.labels);
    }
    const out: Notification[] = [];
    const keys = [...this.groups.keys()].sort(compareCodePoints);
    for (const key of keys) {
      const group = this.groups.get(key)!;
      if (group.inFlight || group.nextFlushAt > now) continue;
      group.hasFlushed = true;
      group.nextFlushAt = now + group.groupIntervalMs;
      const all = [...group.alerts.values()].sort(byStartThenFingerprint);
      const unmuted = all.filter(
        (a) => !isSilenced(a.labels) && !isInhibited(a.labels, firingLabels, this.options.inhibitRules),
      );
      const firing = unmuted.filter((a) => a.state === 'firing');
      const resolved = unmuted.filter((a) => a.state === 'resolved');
      const content = this.options.resolvedNotifications ? unmuted : firing;
      if (unmuted.length === 0 || !this.needsUpdate(group, firing, resolved, now)) {
        this.settle(group, all, null);
        continue;
      }
      if (content.length === 0) {
        // Everything resolved and resolved alerts are not told: the log forgets the firing ones.
        this.settle(group, all, { at: now, firing: [], resolved: resolved.map(episodeKey) });
        continue;
      }
      group.inFlight = true;
      out.push({
        receiver: group.receiver,
        groupKey: group.groupKey,
        groupLabels: group.groupLabels,
        alerts: content,
        status: content.every((a) => a.state === 'resolved') ? 'resolved' : 'firing',
      });
    }
    return out;
  }

  /**
   * When the caller's timer should call `due` next: the earliest group timer (never before `now`),
   * or null when no group waits. Groups with a notification in flight are not counted.
   */
  nextWakeup(now: number): number | null {
    let next: number | null = null;
    for (const group of this.groups.values()) {
      if (group.inFlight) continue;
      if (next === null || group.nextFlushAt < next) next = group.nextFlushAt;
    }
    return next === null ? null : Math.max(now, next);
  }

  /**
   * The delivery stage delivered `alerts` (the notification's) for the group: they become what
   * the receiver knows (the dedup baseline, and the start of `repeat_interval`), and the resolved
   * ones that have not changed since leave the group; an empty group ends. Unknown groups and a
   * receiver that is not the group's are ignored (the group may have ended meanwhile).
   */
  markSent(key: string, receiver: string, now: number, alerts: readonly AlertSnapshot[]): void {
    const group = this.groups.get(key);
    if (group === undefined || group.receiver !== receiver) return;
    group.inFlight = false;
    const entry: SentEntry = {
      at: now,
      firing: alerts.filter((a) => a.state === 'firing').map(episodeKey),
      resolved: alerts.filter((a) => a.state === 'resolved').map(episodeKey),
    };
    this.settle(group, alerts, entry);
  }

  /**
   * The delivery stage gave up on the group's notification (after its own retries): nothing is
   * recorded as known, so the next flush (`group_interval` after the last) sends the changes again
   * and no page is lost; resolved alerts stay in the group until told.
   */
  markFailed(key: string, receiver: string): void {
    const group = this.groups.get(key);
    if (group === undefined || group.receiver !== receiver) return;
    group.inFlight = false;
    if (group.alerts.size === 0) this.groups.delete(key);
  }

  /** The state as plain JSON data, for the state file. */
  toJSON(): DispatcherJSON {
    const groups = [...this.groups.values()]
      .sort((a, b) => compareCodePoints(a.groupKey, b.groupKey))
      .map((g): GroupJSON => ({
        groupKey: g.groupKey,
        receiver: g.receiver,
        groupLabels: { ...g.groupLabels },
        groupIntervalMs: g.groupIntervalMs,
        repeatIntervalMs: g.repeatIntervalMs,
        nextFlushAt: g.nextFlushAt,
        hasFlushed: g.hasFlushed,
        inFlight: g.inFlight,
        alerts: [...g.alerts.values()].sort(byStartThenFingerprint),
        lastSent: g.lastSent,
      }));
    return { version: DISPATCHER_STATE_VERSION, groups };
  }

  /**
   * A dispatcher with the persisted state. A notification that was in flight when the state was
   * written is taken as not delivered (its group is due again at once), unless `stillInFlight`
   * says the caller's persisted delivery queue still holds it (the group then waits for that
   * delivery's `markSent` / `markFailed`): a restart may repeat a notification but never loses one.
   * @throws StateDataError naming the key when the data is not a `DispatcherJSON`.
   */
  static fromJSON(
    options: DispatcherOptions,
    data: unknown,
    stillInFlight: (groupKey: string, receiver: string) => boolean = () => false,
  ): Dispatcher {
    const dispatcher = new Dispatcher(options);
    if (!isRecord(data) || data['version'] !== DISPATCHER_STATE_VERSION) {
      throw new StateDataError(
        `version: expected ${DISPATCHER_STATE_VERSION}; the file is from another version or not a dispatcher state, remove it to start afresh`,
      );
    }
    const groups = data['groups'];
    if (!Array.isArray(groups)) throw new StateDataError('groups: expected an array');
    groups.forEach((raw: unknown, i) => {
      const g = readGroup(raw, `groups[${i}]`);
      const kept = g.inFlight && stillInFlight(g.groupKey, g.receiver);
      dispatcher.groups.set(g.groupKey, {
        ...g,
        groupLabels: { ...g.groupLabels },
        inFlight: kept,
        nextFlushAt: g.inFlight && !kept ? 0 : g.nextFlushAt,
        alerts: new Map(g.alerts.map((a) => [a.fingerprint, a])),
      });
    });
    return dispatcher;
  }

  private needsUpdate(
    group: Group,
    firing: readonly AlertSnapshot[],
    resolved: readonly AlertSnapshot[],
    now: number,
  ): boolean {
    const entry = group.lastSent;
    if (entry === null) return firing.length > 0;
    const knownFiring = new Set(entry.firing);
    if (!firing.every((a) => knownFiring.has(episodeKey(a)))) return true;
    if (firing.length === 0) return entry.firing.length > 0;
    const knownResolved = new Set(entry.resolved);
    if (this.options.resolvedNotifications && !resolved.every((a) => knownResolved.has(episodeKey(a)))) {
      return true;
    }
    return entry.at + group.repeatIntervalMs <= now;
  }

  // A flush is over: record what the receiver knows, and let the resolved alerts that were part
  // of it (and have not changed since) leave, as Alertmanager's `DeleteIfNotModified`.
  private settle(group: Group, flushed: readonly AlertSnapshot[], entry: SentEntry | null): void {
    if (entry !== null) group.lastSent = entry;
    for (const alert of flushed) {
      if (alert.state !== 'resolved') continue;
      const current = group.alerts.get(alert.fingerprint);
      if (current === undefined || current.state !== 'resolved' || current.startsAt !== alert.startsAt)
        continue;
      group.alerts.delete(alert.fingerprint);
    }
    if (group.alerts.size === 0 && !group.inFlight) this.groups.delete(group.groupKey);
  }
}

function readGroup(raw: unknown, at: string): GroupJSON {
  const fail = (key: string, expected: string) => new StateDataError(`${at}.${key}: expected ${expected}`);
  if (!isRecord(raw)) throw new StateDataError(`${at}: expected an object`);
  for (const key of ['groupKey', 'receiver'] as const) {
    if (typeof raw[key] !== 'string') throw fail(key, 'a string');
  }
  for (const key of ['groupIntervalMs', 'repeatIntervalMs', 'nextFlushAt'] as const) {
    if (typeof raw[key] !== 'number' || !Number.isFinite(raw[key])) throw fail(key, 'a finite number');
  }
  for (const key of ['hasFlushed', 'inFlight'] as const) {
    if (typeof raw[key] !== 'boolean') throw fail(key, 'true or false');
  }
  if (!isStringRecord(raw['groupLabels'])) throw fail('groupLabels', 'an object of strings');
  if (!Array.isArray(raw['alerts'])) throw fail('alerts', 'an array');
  raw['alerts'].forEach((a: unknown, i) => readAlert(a, `${at}.alerts[${i}]`));
  const sent = raw['lastSent'];
  if (sent !== null) {
    if (
      !isRecord(sent) ||
      typeof sent['at'] !== 'number' ||
      !Array.isArray(sent['firing']) ||
      !Array.isArray(sent['resolved']) ||
      ![...sent['firing'], ...sent['resolved']].every((k) => typeof k === 'string')
    ) {
      throw fail('lastSent', 'null or { at, firing, resolved }');
    }
  }
  return raw as unknown as GroupJSON;
}

function readAlert(raw: unknown, at: string): void {
  const fail = (key: string, expected: string) => new StateDataError(`${at}.${key}: expected ${expected}`);
  if (!isRecord(raw)) throw new StateDataError(`${at}: expected an object`);
  if (typeof raw['fingerprint'] !== 'string') throw fail('fingerprint', 'a string');
  if (!isStringRecord(raw['labels'])) throw fail('labels', 'an object of strings');
  if (!isStringRecord(raw['annotations'])) throw fail('annotations', 'an object of strings');
  if (raw['state'] !== 'firing' && raw['state'] !== 'resolved') throw fail('state', '"firing" or "resolved"');
  if (typeof raw['startsAt'] !== 'number') throw fail('startsAt', 'a number');
  if (raw['endsAt'] !== null && typeof raw['endsAt'] !== 'number') throw fail('endsAt', 'a number or null');
  if (typeof raw['value'] !== 'number') throw fail('value', 'a number');
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return isRecord(value) && Object.values(value).every((v) => typeof v === 'string');
}
