/**
 * The composition root: the only place that knows the whole graph. It builds every stage
 * from the config, hands each its `next`, and owns the start/stop order: downstream first
 * on start, upstream first on stop, so every stage can drain into the next.
 *
 *   source --> decode --> serving metrics
 *                 |    \--> windows --(evaluation loop, every step)--> drift gauges, status API, alerts, InfluxDB
 *                 |                                                 \--> checkpoint
 *                 \--> dead-letter topic
 */
import type { Logger } from 'pino';
import { Registry } from 'prom-client';

import { AlertEngine } from './alerts/engine.js';
import { SilenceStore } from './alerts/silenceStore.js';
import { FileCheckpointStore } from './checkpoint/fileStore.js';
import type { DriftwatchConfig } from './config/types.js';
import type { DriftEvent } from './decode/event.js';
import type { EventKind, RawRecord } from './decode/record.js';
import { Checkpointer } from './drift/checkpointer.js';
import { DriftState } from './drift/driftState.js';
import { EvaluationLoop } from './drift/evaluationLoop.js';
import { loadDriftModels } from './drift/models.js';
import { WindowStage } from './drift/windowStage.js';
import { defaultExternalUrl, Notifier } from './notify/notifier.js';
import { DecodeStage, type Rejection } from './pipeline/decodeStage.js';
import { FanOut } from './pipeline/fanOut.js';
import type { BatchConsumer, Lifecycle } from './pipeline/stage.js';
import { AdminApi } from './server/adminApi.js';
import { HttpServer } from './server/httpServer.js';
import { EvaluationStore } from './server/statusApi.js';
import { DeadLetterSink } from './sinks/deadLetter.js';
import { InfluxSink } from './sinks/influx.js';
import { createKafka } from './sources/kafka/client.js';
import { KafkaSource, positionKey } from './sources/kafka/kafkaSource.js';
import { AlertMetrics } from './telemetry/alertMetrics.js';
import { DriftMetrics } from './telemetry/driftMetrics.js';
import { createMetrics, initialiseTopicSeries, type Metrics } from './telemetry/metrics.js';
import { ServingMetrics } from './telemetry/servingMetrics.js';
import { registerSilenceMetrics } from './telemetry/silenceMetrics.js';

/** A source as the daemon sees it: a lifecycle and whether it is connected. */
export interface Source extends Lifecycle {
  readonly ready: boolean;
}

/** Builds the source that feeds `next`; the Kafka source unless the caller brings one (demo). */
export type SourceFactory = (next: BatchConsumer<RawRecord>) => Source;

export interface DaemonOptions {
  readonly config: DriftwatchConfig;
  readonly logger: Logger;
  readonly version: string;
  readonly source?: SourceFactory;
  /** The clock of the windows and the evaluation loop; Date.now by default. */
  readonly clock?: () => number;
}

export class Daemon implements Lifecycle {
  readonly registry = new Registry();
  readonly metrics: Metrics;
  readonly driftMetrics: DriftMetrics;
  readonly evaluations = new EvaluationStore();
  /** The silences (admin API); the notification pipeline will ask `isSilenced(labels, now)`. */
  readonly silences: SilenceStore;
  readonly alerts: AlertEngine;
  /** Turns alerts into notifications (email, webhook, Alertmanager) and digests. */
  readonly notifier: Notifier;
  readonly server: HttpServer;
  readonly loop: EvaluationLoop;
  private readonly source: Source;
  private readonly windows: WindowStage;
  private readonly deadLetters: DeadLetterSink | null;
  /** The evaluation history; null when `influx` is not configured. */
  private readonly influx: InfluxSink | null;
  private readonly checkpointer: Checkpointer;
  private readonly modelNames: Set<string>;
  private readonly startedAt = Date.now();
  private readonly clock: () => number;
  private config: DriftwatchConfig;
  /** Swapped whole by reload; the window stage and the loop read it through `() => this.drift`. */
  private drift = new DriftState([]);
  private baselinesLoaded = false;
  private started: Lifecycle[] = [];
  private stopping: Promise<void> | null = null;
  private reloading: Promise<void> = Promise.resolve();

  constructor(private readonly options: DaemonOptions) {
    const { config, logger, version } = options;
    this.config = config;
    this.clock = options.clock ?? Date.now;
    this.metrics = createMetrics(this.registry, { version });
    this.driftMetrics = new DriftMetrics(this.registry);

    const kafka = config.kafka === null ? null : createKafka(config.kafka, logger);
    const kinds = topicKinds(config);
    initialiseTopicSeries(this.metrics, [...kinds.keys()]);

    this.deadLetters =
      kafka !== null && config.kafka?.dlqTopic != null
        ? new DeadLetterSink(kafka, config.kafka.brokers, config.kafka.dlqTopic, this.metrics)
        : null;
    const serving = new ServingMetrics(this.metrics, config.limits);
    this.windows = new WindowStage({
      state: () => this.drift,
      countLate: (model, n) => this.driftMetrics.countLate(model, n),
      clock: this.clock,
    });
    this.silences = new SilenceStore(config.state.directory);
    const alertMetrics = new AlertMetrics(this.registry);
    this.alerts = new AlertEngine({
      rules: config.alerts.rules,
      directory: config.state.directory,
      lastEventAt: () => this.windows.lastEventAt,
      models: () => this.config.models.map((m) => m.name),
      publishSeries: (series) => alertMetrics.publish(series),
      logger: logger.child({ component: 'alerts' }),
      clock: this.clock,
    });
    this.notifier = new Notifier({
      config,
      alerts: this.alerts,
      isSilenced: (labels, now) => this.silences.isSilenced(labels, now) !== undefined,
      registry: this.registry,
      logger: logger.child({ component: 'notify' }),
      version,
      defaultExternalUrl: () => defaultExternalUrl(config.server.host, this.server.port),
      clock: this.clock,
    });

    // Mutated in place by reload: the decoder accepts exactly the configured models.
    this.modelNames = new Set(config.models.map((m) => m.name));
    const decode = new DecodeStage(
      {
        models: this.modelNames,
        maxEventBytes: config.limits.maxEventBytes,
        maxFeaturesPerEvent: config.limits.maxFeaturesPerEvent,
      },
      kinds,
      new FanOut<DriftEvent>([serving, this.windows, this.notifier]),
      this.deadLetters satisfies BatchConsumer<Rejection> | null,
      this.metrics,
    );

    if (options.source !== undefined) {
      this.source = options.source(decode);
    } else if (kafka !== null && config.kafka !== null) {
      this.source = new KafkaSource({
        kafka,
        config: config.kafka,
        topics: [...kinds.keys()],
        next: decode,
        metrics: this.metrics,
        logger: logger.child({ component: 'kafka-source' }),
        startPositions: () =>
          new Map(this.drift.coveredPositions().map((p) => [positionKey(p.topic, p.partition), p.offset])),
      });
    } else {
      throw new Error('no source: the configuration has no kafka section');
    }

    registerSilenceMetrics(this.registry, () => this.silences.counts());
    this.server = new HttpServer({
      host: config.server.host,
      port: config.server.port,
      registry: this.registry,
      readiness: [
        { name: 'source', ready: () => this.source.ready },
        { name: 'baselines', ready: () => this.baselinesLoaded },
      ],
      status: () => this.status(),
      evaluations: this.evaluations,
      admin: new AdminApi({ token: config.alerts.adminToken, silences: this.silences }),
      alerts: this.alerts,
    });

    this.influx =
      config.influx === null
        ? null
        : new InfluxSink({
            config: config.influx,
            registry: this.registry,
            logger: logger.child({ component: 'influx' }),
          });
    this.checkpointer = new Checkpointer({
      store: new FileCheckpointStore(config.state.directory),
      logger: logger.child({ component: 'checkpoint' }),
      count: (outcome, at) => this.driftMetrics.countCheckpoint(outcome, at),
    });
    this.loop = new EvaluationLoop({
      state: () => this.drift,
      sinks: [
        { publish: (round) => this.driftMetrics.publish(round.evaluations) },
        { publish: (round) => this.evaluations.update(round) },
        this.alerts,
        this.notifier,
        ...(this.influx === null ? [] : [this.influx]),
      ],
      afterRound: (round) => this.checkpointer.save(this.drift, round.evaluatedAt),
      observeDuration: (seconds) => this.driftMetrics.observeEvaluation(seconds),
      countIssues: (issues) => {
        for (const i of issues) this.driftMetrics.countIssues(i.model, i.source, i.feature, i.issue, i.n);
      },
      countOverrun: () => this.driftMetrics.countOverrun(),
      logger: logger.child({ component: 'evaluation' }),
      clock: this.clock,
    });
  }

  async start(): Promise<void> {
    // Baselines first (a bad one stops the start), then the windows of the last checkpoint, so
    // that the source resumes from the positions they cover.
    const models = await loadDriftModels(this.config);
    this.drift = new DriftState(models);
    this.driftMetrics.setBaselines(models.map((m) => ({ model: m.name, baselineId: m.baseline.id })));
    await this.checkpointer.restore(this.drift);
    const silences = await this.silences.load();
    if (silences.status === 'set_aside') {
      this.options.logger.error(
        { reason: silences.reason, movedTo: silences.movedTo },
        'the silences file cannot be used: set aside, starting without silences',
      );
    }
    this.baselinesLoaded = true;
    // Downstream first: the HTTP server (so probes answer while connecting), the DLQ, the
    // InfluxDB history, the alert states (before the first round), the notifier, the evaluation
    // loop, the source.
    const components = [
      this.server,
      this.deadLetters,
      this.influx,
      this.alerts,
      this.notifier,
      this.loop,
      this.source,
    ];
    for (const component of components) {
      if (component === null) continue;
      await component.start();
      this.started.push(component);
    }
    this.options.logger.info(
      { port: this.server.port, models: this.options.config.models.map((m) => m.name) },
      'driftwatch started',
    );
  }

  async stop(): Promise<void> {
    this.stopping ??= (async () => {
      // Upstream first: the source finishes and commits its batch while the DLQ can still take
      // rejections; once the loop has stopped, the windows are saved as they stand, and then the
      // alert engine (stopped after the loop) saves the alert states of the last round.
      for (const component of this.started.reverse()) {
        try {
          await component.stop();
          if (component === this.loop) await this.checkpointer.save(this.drift, this.clock());
        } catch (error) {
          this.options.logger.error({ err: error }, 'error while stopping');
        }
      }
      this.started = [];
    })();
    return this.stopping;
  }

  /**
   * Applies a new configuration's models (SIGHUP): loads every baseline first and swaps only when
   * all are valid, keeping the windows of models whose baseline and window did not change. A bad
   * configuration or baseline leaves the running state as it was and is thrown to the caller to
   * report. Kafka, server and state settings need a restart: a change there is logged, not applied.
   */
  async reload(config: DriftwatchConfig): Promise<void> {
    const run = this.reloading.then(async () => {
      const models = await loadDriftModels(config);
      const next = new DriftState(models);
      const dropped = next.carryOver(this.drift);
      this.drift = next;
      const names = new Set(config.models.map((m) => m.name));
      this.modelNames.clear();
      for (const name of names) this.modelNames.add(name);
      this.loop.retain(new Set(models.map((m) => m.name)));
      this.windows.retainModels(names);
      this.driftMetrics.setBaselines(models.map((m) => ({ model: m.name, baselineId: m.baseline.id })));
      const restartOnly = ['kafka', 'server', 'state', 'limits', 'influx'] as const;
      const changed: string[] = restartOnly.filter(
        (k) => JSON.stringify(config[k]) !== JSON.stringify(this.config[k]),
      );
      // The admin API reads its token at start.
      if (config.alerts.adminToken !== this.config.alerts.adminToken) changed.push('alerts.admin_token');
      // The notifier builds its retry policy and model version tracking at start.
      if (JSON.stringify(config.alerts.delivery) !== JSON.stringify(this.config.alerts.delivery)) {
        changed.push('alerts.delivery');
      }
      if (config.alerts.knownGoodAfterMs !== this.config.alerts.knownGoodAfterMs) {
        changed.push('alerts.known_good_after');
      }
      this.config = config;
      this.alerts.setRules(config.alerts.rules, this.clock());
      this.notifier.reload(config);
      this.options.logger.info(
        { models: [...names], droppedWindows: dropped.length, needRestart: changed },
        changed.length > 0
          ? 'reloaded the models; restart to apply the other changes'
          : 'reloaded the models',
      );
      await this.loop.runRound(true);
    });
    this.reloading = run.catch(() => undefined);
    return run;
  }

  private status(): unknown {
    return {
      version: this.options.version,
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      ready: this.source.ready,
      models: this.config.models.map((m) => ({
        name: m.name,
        featureSource: m.featureSource,
        owner: m.owner,
      })),
    };
  }
}

/** Which topic carries which events. */
export function topicKinds(config: DriftwatchConfig): Map<string, EventKind> {
  const kinds = new Map<string, EventKind>();
  const topics = config.kafka?.topics ?? { predictions: 'ml.predictions', features: null };
  kinds.set(topics.predictions, 'prediction');
  const needsFeatures = config.models.some((m) => m.featureSource !== 'predictions');
  if (needsFeatures && topics.features !== null) kinds.set(topics.features, 'feature');
  return kinds;
}
