/**
 * The notifier: the effectful shell that turns the alert engine's alerts into notifications that
 * reach people (PRODUCT.md §6, docs/alerting.md). After every evaluation round it hands the firing
 * and recently resolved alerts to the dispatcher (grouping, timers, dedup, silences, inhibition)
 * and to the Alertmanager forwarder; on its own timer it takes the notifications due, resolves
 * the owner on duty (schedules) for each, queues one delivery per receiver and owner, and makes
 * the deliveries, retrying failed ones with backoff. The dispatcher, the queue and the digest
 * times are kept in `<state.directory>/notifications.json` after every change, so a restart
 * neither re-sends what was delivered nor forgets what was not; every attempt is appended to
 * `notifications.log`. Nothing here blocks the evaluation loop or the consumer: sends run in the
 * background, and a failing receiver only grows its queue.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

import { schedule as scheduleCron, type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

import type { AlertEngine } from '../alerts/engine.js';
import { modelVersionsFile } from '../alerts/modelVersionsFile.js';
import { ModelVersions } from '../alerts/modelVersions.js';
import type { Labels } from '../alerts/types.js';
import type { AlertsConfig, DriftwatchConfig, ReceiverConfig } from '../config/types.js';
import type { DriftEvent } from '../decode/event.js';
import type { EvaluationRound, EvaluationSink } from '../drift/evaluationLoop.js';
import type { BatchConsumer, Lifecycle } from '../pipeline/stage.js';
import { JsonStateFile } from '../state/jsonStateFile.js';
import { StateDataError } from '../state/stateData.js';
import { messageOf } from '../state/stateFiles.js';
import { NotifyMetrics, type NotificationOutcome } from '../telemetry/notifyMetrics.js';
import { AlertmanagerForwarder, postableAlerts, type AlertmanagerPost } from './alertmanagerForwarder.js';
import { DeliveryQueue, type Delivery, type EmailMessage } from './deliveryQueue.js';
import { Dispatcher, type AlertSnapshot, type Notification } from './dispatcher.js';
import { digestInput, FIRST_DIGEST_PERIOD_MS } from './digest.js';
import { renderDigest, renderEmail, type ModelContext } from './emailContent.js';
import { NotificationLog, type NotificationLogEntry } from './notificationLog.js';
import {
  alertmanagerTargets,
  alertSnapshots,
  effectiveRoute,
  planDeliveries,
  routesAlerts,
  type RoutingConfig,
} from './routing.js';
import { DeliveryError, postJson, SmtpTransport } from './transports.js';
import { SIGNATURE_HEADER, signPayload, webhookPayload } from './webhookPayload.js';

/** The file name of the dispatcher and queue state in the state directory. */
export const NOTIFY_STATE_FILE = 'notifications.json';
const NOTIFY_STATE_VERSION = 1;
/** How often the notifier looks for due notifications, deliveries and resends. */
export const DEFAULT_TICK_MS = 1000;
/** How long `stop` waits for deliveries in progress before saving them as not delivered. */
const STOP_GRACE_MS = 5000;

/** What the alert engine gives the notifier. */
export type AlertSource = Pick<AlertEngine, 'alerts' | 'recentTransitions'>;

export interface NotifierOptions {
  readonly config: DriftwatchConfig;
  readonly alerts: AlertSource;
  readonly isSilenced: (labels: Labels, now: number) => boolean;
  readonly registry: Registry;
  readonly logger: Logger;
  readonly version: string;
  /** The daemon's URL when `alerts.external_url` is not set (read when a notification is made). */
  readonly defaultExternalUrl: () => string;
  readonly clock?: () => number;
  readonly random?: () => number;
  readonly tickMs?: number;
}

interface NotifyState {
  readonly dispatcher: Dispatcher;
  readonly queue: DeliveryQueue;
  readonly digests: ReadonlyMap<string, number>;
}

/** The daemon's URL for links, from `server` when `alerts.external_url` is not set. */
export function defaultExternalUrl(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' || host === '' ? hostname() : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
}

/**
 * Built once by the composition root. It is an evaluation sink (after the alert engine), a
 * consumer of decoded events (model versions), and a lifecycle: `start` loads the state and
 * starts the timer and the digest schedules, `stop` waits briefly for sends and saves.
 */
export class Notifier implements EvaluationSink, Lifecycle, BatchConsumer<DriftEvent> {
  private readonly clock: () => number;
  private readonly random: () => number;
  private readonly metrics: NotifyMetrics;
  private readonly log: NotificationLog;
  private readonly stateFile: JsonStateFile<NotifyState>;
  private readonly versionsFile: JsonStateFile<ModelVersions>;
  private config: DriftwatchConfig;
  private alertsConfig: AlertsConfig;
  private dispatcher: Dispatcher;
  private queue: DeliveryQueue;
  private versions: ModelVersions;
  private forwarder: AlertmanagerForwarder;
  private smtp: SmtpTransport | null = null;
  private digestTasks: ScheduledTask[] = [];
  private readonly lastDigestAt = new Map<string, number>();
  private lastRound: EvaluationRound | null = null;
  private snapshots: readonly AlertSnapshot[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly running = new Set<Promise<void>>();
  private stopped = true;

  constructor(private readonly options: NotifierOptions) {
    this.clock = options.clock ?? Date.now;
    this.random = options.random ?? Math.random;
    this.config = options.config;
    this.alertsConfig = options.config.alerts;
    const directory = options.config.state.directory;
    this.dispatcher = new Dispatcher(this.dispatcherOptions());
    this.queue = new DeliveryQueue(this.alertsConfig.delivery);
    this.forwarder = new AlertmanagerForwarder(
      this.alertsConfig.delivery.alertmanagerResendMs,
      this.alertsConfig.delivery,
    );
    const versionOptions = { goodAfterMs: this.alertsConfig.knownGoodAfterMs };
    this.versions = new ModelVersions(versionOptions);
    this.versionsFile = modelVersionsFile(directory, versionOptions);
    this.stateFile = new JsonStateFile({
      directory,
      name: NOTIFY_STATE_FILE,
      what: 'the notification queue',
      parse: (data) => this.parseState(data),
    });
    this.log = new NotificationLog(directory, (error) =>
      options.logger.error({ err: error }, 'could not write the notification log'),
    );
    this.metrics = new NotifyMetrics(options.registry, () => this.queue, this.clock);
    this.metrics.setReceivers(this.receiverNames());
  }

  /** Loads the saved state (a bad file is set aside and logged), then starts the timer and the digests. */
  async start(): Promise<void> {
    const { logger } = this.options;
    const now = this.clock();
    try {
      const loaded = await this.stateFile.load(now);
      if (loaded.status === 'loaded') {
        this.dispatcher = loaded.value.dispatcher;
        this.queue = loaded.value.queue;
        for (const [owner, at] of loaded.value.digests) this.lastDigestAt.set(owner, at);
        logger.info({ waiting: this.queue.size }, 'restored the notification queue');
      } else if (loaded.status === 'set_aside') {
        logger.error(
          { reason: loaded.reason, movedTo: loaded.movedTo },
          'the notification state file is unusable and was set aside; starting with an empty queue',
        );
      }
      const versions = await this.versionsFile.load(now);
      if (versions.status === 'loaded') this.versions = versions.value;
      else if (versions.status === 'set_aside') {
        logger.error(
          { reason: versions.reason, movedTo: versions.movedTo },
          'the model versions file is unusable and was set aside; starting without known versions',
        );
      }
    } catch (error) {
      logger.error({ err: error }, 'could not read the notification state; starting with an empty queue');
    }
    this.smtp = this.alertsConfig.smtp === null ? null : new SmtpTransport(this.alertsConfig.smtp);
    this.scheduleDigests();
    this.stopped = false;
    this.timer = setInterval(() => this.tick(), this.options.tickMs ?? DEFAULT_TICK_MS);
    this.timer.unref();
  }

  /** Stops the timer and digests, waits up to 5 s for sends in progress, saves, closes SMTP. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    for (const task of this.digestTasks) await task.destroy();
    this.digestTasks = [];
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.running]),
      new Promise<void>((resolve) => {
        grace = setTimeout(resolve, STOP_GRACE_MS);
      }),
    ]);
    clearTimeout(grace);
    this.save();
    await Promise.allSettled([this.stateFile.settled(), this.versionsFile.settled(), this.log.settled()]);
    this.smtp?.close();
    this.smtp = null;
  }

  /** Decoded events: the model versions seen (prediction events carry them). */
  consume(events: readonly DriftEvent[]): Promise<void> {
    const now = this.clock();
    // One time for the whole batch, so a pair seen again adds nothing: a batch is mostly runs of
    // one model and version, and only a change of pair is looked up.
    let model: string | undefined;
    let version: string | undefined;
    for (const event of events) {
      if (event.kind !== 'prediction' || (event.model === model && event.modelVersion === version)) continue;
      model = event.model;
      version = event.modelVersion;
      this.versions.observe(model, version, now);
    }
    return Promise.resolve();
  }

  /** The evaluation loop's sink, after the alert engine: files the round's alerts. Never throws. */
  publish(round: EvaluationRound): void {
    try {
      const now = this.clock();
      this.lastRound = round;
      this.snapshots = alertSnapshots(this.options.alerts.alerts(), this.alertsConfig);
      const routed = routesAlerts(this.alertsConfig) ? this.snapshots : [];
      this.dispatcher.update(routed, now);
      this.forwarder.update(alertmanagerTargets(routed, this.routingConfig(), now));
      const critical = new Set(
        this.snapshots
          .filter((a) => a.state === 'firing' && a.labels.severity === 'critical')
          .map((a) => a.labels.model ?? ''),
      );
      this.versions.round(now, critical);
      this.versionsFile.save(this.versions).catch((error: unknown) => {
        this.options.logger.error({ err: error }, 'could not save the model versions');
      });
      this.save();
      this.tick();
    } catch (error) {
      this.options.logger.error({ err: error }, 'could not file the alerts for notification');
    }
  }

  /**
   * A new configuration (SIGHUP): routes, receivers, owners, schedules, SMTP and digests apply to
   * notifications made from now on; groups and queued deliveries carry over.
   */
  reload(config: DriftwatchConfig): void {
    const smtpChanged = JSON.stringify(config.alerts.smtp) !== JSON.stringify(this.alertsConfig.smtp);
    this.config = config;
    this.alertsConfig = config.alerts;
    this.dispatcher = Dispatcher.fromJSON(
      this.dispatcherOptions(),
      this.dispatcher.toJSON(),
      (key, receiver) => this.queue.hasGroup(key, receiver),
    );
    this.forwarder.retain(new Set(this.receiverNames()));
    this.versions.retainModels(new Set(config.models.map((m) => m.name)));
    this.metrics.setReceivers(this.receiverNames());
    if (smtpChanged && !this.stopped) {
      this.smtp?.close();
      this.smtp = config.alerts.smtp === null ? null : new SmtpTransport(config.alerts.smtp);
    }
    if (!this.stopped) {
      for (const task of this.digestTasks) void task.destroy();
      this.digestTasks = [];
      this.scheduleDigests();
    }
    this.save();
  }

  /** The model's current version and last known good one, for notifications. */
  modelContext(model: string): ModelContext {
    return { version: this.versions.current(model), lastGoodVersion: this.versions.lastKnownGood(model) };
  }

  /** One turn of the timer: due notifications become deliveries; due deliveries and resends are made. */
  tick(): void {
    if (this.stopped) return;
    const now = this.clock();
    let changed = false;
    try {
      const notifications = this.dispatcher.due(now, (labels) => this.options.isSilenced(labels, now));
      for (const notification of notifications) {
        this.enqueue(notification, now);
        changed = true;
      }
      for (const delivery of this.queue.due(now)) this.track(this.attempt(delivery));
      for (const post of this.forwarder.due(now)) this.track(this.post(post));
    } catch (error) {
      this.options.logger.error({ err: error }, 'notification timer failed');
    }
    if (changed) this.save();
  }

  // ---------------------------------------------------------------------------------------
  // Alerts to notifications

  private dispatcherOptions() {
    return {
      route: effectiveRoute(this.alertsConfig),
      inhibitRules: this.alertsConfig.inhibitRules,
      resolvedNotifications: this.alertsConfig.resolvedNotifications,
      // The forwarder sends these, as Prometheus does.
      forwarded: new Set(
        this.alertsConfig.receivers.filter((r) => r.type === 'alertmanager').map((r) => r.name),
      ),
    };
  }

  private routingConfig(): RoutingConfig {
    return { alerts: this.alertsConfig, models: this.config.models };
  }

  /**
   * Queues the deliveries of one due notification (`planDeliveries`). A notification with no
   * delivery is settled at once; alerts nobody can be told about are counted as unrouted and
   * logged.
   */
  private enqueue(notification: Notification, now: number): void {
    const { plans, unrouted } = planDeliveries(notification, this.routingConfig(), now);
    if (unrouted.length > 0) {
      this.metrics.count(notification.receiver, 'unrouted');
      this.options.logger.warn(
        { receiver: notification.receiver, alerts: unrouted.map((a) => a.fingerprint) },
        'no owner on duty to notify (check models[].owner, alerts.owners and alerts.schedules)',
      );
      this.writeLog({
        receiver: notification.receiver,
        owner: null,
        kind: 'notification',
        groupKey: notification.groupKey,
        status: notification.status,
        alerts: unrouted.map((a) => a.fingerprint),
        recipients: [],
        outcome: 'unrouted',
        attempt: 0,
        error: null,
      });
    }
    if (plans.length === 0) {
      this.dispatcher.markSent(notification.groupKey, notification.receiver, now, notification.alerts);
      return;
    }
    const group = { key: notification.groupKey, receiver: notification.receiver };
    this.queue.add(
      plans.map((plan) => ({
        id: randomUUID(),
        receiver: plan.receiver,
        owner: plan.owner,
        notification: plan.notification,
        email: null,
        group,
        createdAt: now,
        attempts: 0,
        nextAttemptAt: now,
        lastError: null,
      })),
      { ...group, alerts: notification.alerts },
    );
  }

  // ---------------------------------------------------------------------------------------
  // Deliveries

  private track(run: Promise<void>): void {
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }

  /** Makes one delivery attempt and records its outcome; never rejects. */
  private async attempt(delivery: Delivery): Promise<void> {
    let recipients: readonly string[] = [];
    let outcome: NotificationOutcome;
    let error: string | null = null;
    let settled;
    try {
      recipients = await this.send(delivery);
      outcome = 'delivered';
      settled = this.queue.succeeded(delivery.id);
    } catch (failure) {
      error = messageOf(failure);
      const retryable = failure instanceof DeliveryError ? failure.retryable : true;
      const result = this.queue.failed(delivery.id, this.clock(), error, retryable, this.random);
      settled = result.settled;
      outcome = settled === null ? 'retried' : 'failed';
      this.options.logger[outcome === 'failed' ? 'error' : 'warn'](
        {
          receiver: delivery.receiver,
          owner: delivery.owner,
          attempt: delivery.attempts + 1,
          retryAt: result.retryAt,
          err: failure,
        },
        outcome === 'failed' ? 'gave up a notification' : 'a notification failed; retrying',
      );
    }
    const now = this.clock();
    this.metrics.count(delivery.receiver, outcome);
    if (outcome === 'delivered') {
      this.options.logger.info(
        {
          receiver: delivery.receiver,
          owner: delivery.owner,
          recipients,
          status: delivery.notification?.status ?? 'digest',
        },
        'notification delivered',
      );
    }
    this.writeLog({
      receiver: delivery.receiver,
      owner: delivery.owner,
      kind: delivery.notification === null ? 'digest' : 'notification',
      groupKey: delivery.notification?.groupKey ?? null,
      status: delivery.notification?.status ?? null,
      alerts: delivery.notification?.alerts.map((a) => a.fingerprint) ?? [],
      recipients,
      outcome,
      attempt: delivery.attempts + 1,
      error,
    });
    const group = settled?.group ?? null;
    if (group !== null) {
      if (group.delivered) this.dispatcher.markSent(group.key, group.receiver, now, group.alerts);
      else this.dispatcher.markFailed(group.key, group.receiver);
    }
    this.save();
  }

  /** Sends one delivery; returns its recipients. @throws DeliveryError (or any error: retryable). */
  private async send(delivery: Delivery): Promise<readonly string[]> {
    if (delivery.email !== null) return this.sendEmail(this.alertsConfig.smtp?.from ?? '', delivery.email);
    const notification = delivery.notification;
    const receiver = this.receiversByName().get(delivery.receiver);
    if (notification === null || receiver === undefined) {
      throw new DeliveryError(`receiver "${delivery.receiver}" is not configured any more`, false);
    }
    const externalURL = this.externalUrl();
    switch (receiver.type) {
      case 'email': {
        const owner = this.alertsConfig.owners.find((o) => o.name === delivery.owner);
        const to = receiver.to === 'owner' ? (owner?.email ?? []) : receiver.to;
        if (to.length === 0)
          throw new DeliveryError(`owner "${delivery.owner ?? ''}" has no email address`, false);
        const models = new Map<string, ModelContext>();
        for (const alert of notification.alerts) {
          const model = alert.labels.model;
          if (model !== undefined) models.set(model, this.modelContext(model));
        }
        const content = renderEmail({
          notification,
          owner: delivery.owner,
          models,
          externalURL,
          subjectTemplate: receiver.subject,
          timezone: this.ownerTimezone(delivery.owner),
        });
        return this.sendEmail(receiver.from, { to, ...content });
      }
      case 'webhook': {
        const body = JSON.stringify(
          webhookPayload(notification, {
            externalURL,
            generatorURL: (alert) => alert.annotations.dashboard_url ?? '',
          }),
        );
        const headers: Record<string, string> = { 'user-agent': `driftwatch/${this.options.version}` };
        if (receiver.hmacSecret !== null) headers[SIGNATURE_HEADER] = signPayload(body, receiver.hmacSecret);
        await postJson(receiver.url, body, headers, receiver.timeoutMs);
        return [receiver.url];
      }
      case 'alertmanager':
        throw new DeliveryError(
          `receiver "${receiver.name}" is an Alertmanager; its alerts are forwarded`,
          false,
        );
    }
  }

  private async sendEmail(from: string, email: EmailMessage): Promise<readonly string[]> {
    if (this.smtp === null) throw new DeliveryError('alerts.smtp is not configured', false);
    await this.smtp.send({ from, ...email });
    return email.to;
  }

  /** One POST to an Alertmanager receiver; never rejects. */
  private async post(post: AlertmanagerPost): Promise<void> {
    const receiver = this.receiversByName().get(post.receiver);
    const now = this.clock();
    if (receiver?.type !== 'alertmanager') {
      this.forwarder.succeeded(post, now);
      return;
    }
    const step = Math.max(...this.config.models.map((m) => m.stepMs), 0);
    const validFor = 4 * Math.max(this.alertsConfig.delivery.alertmanagerResendMs, step);
    const url = `${receiver.url.replace(/\/+$/, '')}/api/v2/alerts`;
    const body = JSON.stringify(
      postableAlerts(
        post.alerts,
        now,
        validFor,
        (a) => a.annotations.dashboard_url ?? `${this.externalUrl()}/api/v1/alerts`,
      ),
    );
    let outcome: NotificationOutcome = 'delivered';
    let error: string | null = null;
    try {
      await postJson(url, body, { 'user-agent': `driftwatch/${this.options.version}` }, receiver.timeoutMs);
      this.forwarder.succeeded(post, this.clock());
    } catch (failure) {
      error = messageOf(failure);
      outcome = 'retried';
      const retryAt = this.forwarder.failed(post, this.clock(), this.random);
      this.options.logger.warn(
        { receiver: receiver.name, retryAt, err: failure },
        'could not send the alerts to Alertmanager; retrying',
      );
    }
    this.metrics.count(receiver.name, outcome);
    this.writeLog({
      receiver: receiver.name,
      owner: null,
      kind: 'alertmanager',
      groupKey: null,
      status: null,
      alerts: post.alerts.map((a) => a.fingerprint),
      recipients: [url],
      outcome,
      attempt: 1,
      error,
    });
  }

  // ---------------------------------------------------------------------------------------
  // Digests

  /** node-cron's messages (a missed run, a failed one) go to the daemon's log, not the console. */
  private readonly cronLogger = {
    info: (message: string) => this.options.logger.debug({ component: 'cron' }, message),
    warn: (message: string) => this.options.logger.warn({ component: 'cron' }, message),
    error: (message: string | Error, err?: Error) =>
      this.options.logger.error({ component: 'cron', err: err ?? message }, String(message)),
    debug: (message: string | Error) => this.options.logger.debug({ component: 'cron' }, String(message)),
  };

  private scheduleDigests(): void {
    for (const owner of this.alertsConfig.owners) {
      if (owner.digest === null) continue;
      const name = owner.name;
      this.digestTasks.push(
        scheduleCron(owner.digest.cron, () => this.digest(name), {
          timezone: owner.digest.timezone,
          name: `digest-${name}`,
          noOverlap: true,
          logger: this.cronLogger,
        }),
      );
    }
  }

  /** Makes and queues the digest of one owner: their models, now, and the alerts since the last one. */
  digest(ownerName: string): void {
    if (this.stopped) return;
    try {
      const owner = this.alertsConfig.owners.find((o) => o.name === ownerName);
      if (owner === undefined || owner.email.length === 0) return;
      const now = this.clock();
      const from = this.lastDigestAt.get(ownerName) ?? now - FIRST_DIGEST_PERIOD_MS;
      const content = renderDigest(
        digestInput(ownerName, owner.digest?.timezone ?? 'UTC', from, now, {
          config: this.routingConfig(),
          evaluations: this.lastRound?.evaluations ?? [],
          transitions: this.options.alerts.recentTransitions(),
          alerts: this.snapshots,
          modelContext: (model) => this.modelContext(model),
          externalURL: this.externalUrl(),
        }),
      );
      this.queue.add(
        [
          {
            id: randomUUID(),
            receiver: 'digest',
            owner: ownerName,
            notification: null,
            email: { to: owner.email, ...content },
            group: null,
            createdAt: now,
            attempts: 0,
            nextAttemptAt: now,
            lastError: null,
          },
        ],
        null,
      );
      this.lastDigestAt.set(ownerName, now);
      this.save();
      this.tick();
    } catch (error) {
      this.options.logger.error({ err: error, owner: ownerName }, 'could not make the digest');
    }
  }

  // ---------------------------------------------------------------------------------------
  // Plumbing

  private receiversByName(): Map<string, ReceiverConfig> {
    return new Map(this.alertsConfig.receivers.map((r) => [r.name, r]));
  }

  private receiverNames(): string[] {
    return this.alertsConfig.receivers.map((r) => r.name);
  }

  private externalUrl(): string {
    return (this.alertsConfig.externalUrl ?? this.options.defaultExternalUrl()).replace(/\/+$/, '');
  }

  /** The time zone an owner reads times in: their digest's, else UTC. */
  private ownerTimezone(owner: string | null): string {
    return this.alertsConfig.owners.find((o) => o.name === owner)?.digest?.timezone ?? 'UTC';
  }

  private writeLog(entry: Omit<NotificationLogEntry, 'at'>): void {
    void this.log.append({ at: new Date(this.clock()).toISOString(), ...entry });
  }

  private save(): void {
    const state = {
      version: NOTIFY_STATE_VERSION,
      dispatcher: this.dispatcher.toJSON(),
      queue: this.queue.toJSON(),
      digests: Object.fromEntries(this.lastDigestAt),
    };
    this.stateFile.save(state).catch((error: unknown) => {
      this.options.logger.error(
        { err: error },
        'could not save the notification queue; retrying at the next change',
      );
    });
  }

  private parseState(data: unknown): NotifyState {
    if (
      typeof data !== 'object' ||
      data === null ||
      (data as { version?: unknown }).version !== NOTIFY_STATE_VERSION
    ) {
      throw new StateDataError(
        `version: expected ${NOTIFY_STATE_VERSION}; the file is from another version or not a notification state`,
      );
    }
    const record = data as Record<string, unknown>;
    const queue = DeliveryQueue.fromJSON(this.alertsConfig.delivery, record['queue']);
    const dispatcher = Dispatcher.fromJSON(this.dispatcherOptions(), record['dispatcher'], (key, receiver) =>
      queue.hasGroup(key, receiver),
    );
    const digests = new Map<string, number>();
    const raw = record['digests'];
    if (typeof raw === 'object' && raw !== null) {
      for (const [owner, at] of Object.entries(raw)) if (typeof at === 'number') digests.set(owner, at);
    }
    return { dispatcher, queue, digests };
  }
}
