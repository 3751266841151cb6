/**
 * The composition root: the only place that knows the whole graph. It builds every stage
 * from the config, hands each its `next`, and owns the start/stop order: downstream first
 * on start, upstream first on stop, so every stage can drain into the next.
 *
 *   source --> decode --> serving metrics
 *                 \--> dead-letter topic
 */
import type { Logger } from 'pino';
import { Registry } from 'prom-client';

import type { DriftwatchConfig } from './config/types.js';
import type { EventKind, RawRecord } from './decode/record.js';
import { DecodeStage, type Rejection } from './pipeline/decodeStage.js';
import type { BatchConsumer, Lifecycle } from './pipeline/stage.js';
import { HttpServer } from './server/httpServer.js';
import { DeadLetterSink } from './sinks/deadLetter.js';
import { createKafka } from './sources/kafka/client.js';
import { KafkaSource } from './sources/kafka/kafkaSource.js';
import { createMetrics, initialiseTopicSeries, type Metrics } from './telemetry/metrics.js';
import { ServingMetrics } from './telemetry/servingMetrics.js';

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
}

export class Daemon implements Lifecycle {
  readonly registry = new Registry();
  readonly metrics: Metrics;
  readonly server: HttpServer;
  private readonly source: Source;
  private readonly deadLetters: DeadLetterSink | null;
  private readonly startedAt = Date.now();
  private started: Lifecycle[] = [];
  private stopping: Promise<void> | null = null;

  constructor(private readonly options: DaemonOptions) {
    const { config, logger, version } = options;
    this.metrics = createMetrics(this.registry, { version });

    const kafka = config.kafka === null ? null : createKafka(config.kafka, logger);
    const kinds = topicKinds(config);
    initialiseTopicSeries(this.metrics, [...kinds.keys()]);

    this.deadLetters =
      kafka !== null && config.kafka?.dlqTopic != null
        ? new DeadLetterSink(kafka, config.kafka.brokers, config.kafka.dlqTopic, this.metrics)
        : null;
    const serving = new ServingMetrics(this.metrics, config.limits);
    const decode = new DecodeStage(
      {
        models: new Set(config.models.map((m) => m.name)),
        maxEventBytes: config.limits.maxEventBytes,
        maxFeaturesPerEvent: config.limits.maxFeaturesPerEvent,
      },
      kinds,
      serving,
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
      });
    } else {
      throw new Error('no source: the configuration has no kafka section');
    }

    this.server = new HttpServer({
      host: config.server.host,
      port: config.server.port,
      registry: this.registry,
      readiness: [{ name: 'source', ready: () => this.source.ready }],
      status: () => this.status(),
    });
  }

  async start(): Promise<void> {
    // Downstream first: the HTTP server (so probes answer while connecting), the DLQ, the source.
    for (const component of [this.server, this.deadLetters, this.source]) {
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
      // Upstream first: the source finishes and commits its batch while the DLQ can still take rejections.
      for (const component of this.started.reverse()) {
        try {
          await component.stop();
        } catch (error) {
          this.options.logger.error({ err: error }, 'error while stopping');
        }
      }
      this.started = [];
    })();
    return this.stopping;
  }

  private status(): unknown {
    return {
      version: this.options.version,
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      ready: this.source.ready,
      models: this.options.config.models.map((m) => ({
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
