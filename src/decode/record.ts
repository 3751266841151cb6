/**
 * A record as a source hands it to the pipeline: the raw bytes and where they came from.
 * Kafka, files and the demo generator all produce this shape, so decoding, the dead-letter
 * queue and offset tracking work the same whatever the source.
 */
export interface RawRecord {
  readonly topic: string;
  readonly partition: number;
  /** Kafka offset as a decimal string (kafkajs' representation); a line number for files. */
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, Buffer | string | undefined>>;
  /** The record's timestamp in epoch milliseconds (Kafka's CreateTime or LogAppendTime). */
  readonly timestamp: number;
}

/** What a topic carries; decides which event shape the decoder expects. */
export type EventKind = 'prediction' | 'feature';
