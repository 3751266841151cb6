/**
 * The resolution windows count numeric features at. A baseline keeps a fine KS summary (Q = 1000
 * by default); a window holds 2K + 1 counts per step for it, so the daemon counts against a
 * coarser summary of about `ksQuantiles` + 1 edges made from the fine one (`coarsenSummary`):
 * memory per step drops by Q / ksQuantiles, and the KS bound, still computed from exact counts at
 * every evaluation, grows to about 1/ksQuantiles (docs/windows.md "Memory"). `replay` applies the
 * same function when it is to give the daemon's numbers. Pure.
 */
import type { Baseline } from '../baseline/format.js';
import { coarsenSummary } from '../stats/ksSummary.js';

/** `baseline` with every numeric feature's KS summary coarsened to `ksQuantiles` (null: unchanged). */
export function atWindowResolution(baseline: Baseline, ksQuantiles: number | null): Baseline {
  if (ksQuantiles === null) return baseline;
  return {
    ...baseline,
    features: baseline.features.map((f) =>
      f.type === 'numeric' ? { ...f, ks: coarsenSummary(f.ks, ksQuantiles) } : f,
    ),
  };
}
