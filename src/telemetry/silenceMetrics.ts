/**
 * `driftwatch_silences{state}` (docs/metrics.md, "Alerting"): how many silences are pending,
 * active and expired (kept until pruned), read from the silence store at each scrape, so the
 * figure is never older than the scrape and needs no timer.
 */
import { Gauge, type Registry } from 'prom-client';

import type { SilenceCounts } from '../alerts/silenceStore.js';

/** The states, each exported from the start (at 0) so that a panel sees no gap. */
const STATES = ['pending', 'active', 'expired'] as const;

/**
 * Registers the gauge on the daemon's registry. Called once by the composition root with the
 * store's `counts`; calling it twice on one registry throws (a metric name is registered once).
 */
export function registerSilenceMetrics(registry: Registry, counts: () => SilenceCounts): Gauge<'state'> {
  return new Gauge({
    name: 'driftwatch_silences',
    help: 'Silences by state: pending (not started), active (muting), expired (ended, kept for 5 days).',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const now = counts();
      for (const state of STATES) this.set({ state }, now[state]);
    },
  });
}
