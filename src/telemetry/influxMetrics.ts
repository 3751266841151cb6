/**
 * The metrics of the InfluxDB history sink (docs/metrics.md, "InfluxDB history"), created on
 * the daemon's registry by the sink itself, and only when `influx` is configured: a daemon
 * that writes no history exports none of these series.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

/** What becomes of a point: see docs/metrics.md for exactly what each outcome counts. */
export const INFLUX_OUTCOMES = ['written', 'failed', 'dropped'] as const;
export type InfluxOutcome = (typeof INFLUX_OUTCOMES)[number];

export type InfluxMetrics = ReturnType<typeof createInfluxMetrics>;

/**
 * Called once per sink (the composition root builds one). Every outcome series exists at 0
 * from the start, so that `increase()` sees the first failure.
 */
export function createInfluxMetrics(registry: Registry) {
  const registers = [registry];
  const metrics = {
    points: new Counter({
      name: 'driftwatch_influx_points_total',
      help: 'InfluxDB history points, by outcome: written (acknowledged), failed (in a failed write attempt; retried), dropped (discarded for good).',
      labelNames: ['outcome'] as const,
      registers,
    }),
    buffered: new Gauge({
      name: 'driftwatch_influx_buffered_points',
      help: 'InfluxDB history points waiting to be written, including the batch in flight; at most influx.max_buffered_points.',
      registers,
    }),
  };
  for (const outcome of INFLUX_OUTCOMES) metrics.points.inc({ outcome }, 0);
  metrics.buffered.set(0);
  return metrics;
}
