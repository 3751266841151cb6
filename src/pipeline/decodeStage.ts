/**
 * The decode stage: raw records in, events out to `next`, rejections counted and handed to
 * the dead-letter sink. Ordering matters for "nothing lost, nothing twice": rejections are
 * made safe first, then events are handed on, and only when both have succeeded are the
 * records counted — so a batch that fails and is retried is neither lost nor counted twice.
 */
import { decodeRecord, type DecodeOptions } from '../decode/decodeEvent.js';
import type { DriftEvent } from '../decode/event.js';
import type { RejectReason } from '../decode/reasons.js';
import type { EventKind, RawRecord } from '../decode/record.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { BatchConsumer, BatchOrigin } from './stage.js';

/** A record that could not be decoded, with why. */
export interface Rejection {
  readonly record: RawRecord;
  readonly reason: RejectReason;
  readonly detail: string;
}

export class DecodeStage implements BatchConsumer<RawRecord> {
  constructor(
    private readonly options: DecodeOptions,
    /** Topic name -> what it carries. Records of other topics are decoded as predictions. */
    private readonly kinds: ReadonlyMap<string, EventKind>,
    private readonly next: BatchConsumer<DriftEvent>,
    private readonly deadLetters: BatchConsumer<Rejection> | null,
    private readonly metrics: Metrics,
  ) {}

  async consume(records: readonly RawRecord[]): Promise<void> {
    const groups = new Map<string, { origin: BatchOrigin; events: DriftEvent[] }>();
    const rejections: Rejection[] = [];
    for (const record of records) {
      // Events go on grouped by topic-partition, each group with the position after its last
      // record (rejected ones included): a Kafka batch is one group.
      const key = `${record.topic}\u0000${record.partition}`;
      let group = groups.get(key);
      const nextOffset = (BigInt(record.offset) + 1n).toString();
      if (group === undefined) {
        group = { origin: { topic: record.topic, partition: record.partition, nextOffset }, events: [] };
        groups.set(key, group);
      } else if (BigInt(nextOffset) > BigInt(group.origin.nextOffset)) {
        group.origin = { ...group.origin, nextOffset };
      }
      const result = decodeRecord(record, this.kinds.get(record.topic) ?? 'prediction', this.options);
      if (result.ok) group.events.push(result.event);
      else rejections.push({ record, reason: result.reason, detail: result.detail });
    }
    if (rejections.length > 0 && this.deadLetters !== null) await this.deadLetters.consume(rejections);
    for (const { origin, events } of groups.values()) await this.next.consume(events, origin);
    this.count(records, rejections);
  }

  private count(records: readonly RawRecord[], rejections: readonly Rejection[]): void {
    const consumed = new Map<string, number>();
    for (const r of records) consumed.set(r.topic, (consumed.get(r.topic) ?? 0) + 1);
    for (const [topic, n] of consumed) this.metrics.eventsConsumed.inc({ topic }, n);
    const rejected = new Map<string, { topic: string; reason: RejectReason; n: number }>();
    for (const { record, reason } of rejections) {
      const key = `${record.topic}\u0000${reason}`;
      const entry = rejected.get(key);
      if (entry === undefined) rejected.set(key, { topic: record.topic, reason, n: 1 });
      else entry.n++;
    }
    for (const { topic, reason, n } of rejected.values())
      this.metrics.eventsRejected.inc({ topic, reason }, n);
  }
}
