/**
 * A quantile from cumulative histogram buckets, interpolated linearly inside the bucket the
 * way PromQL's `histogram_quantile` does, so the demo's summary and the dashboards agree.
 * `buckets` are (upper bound, cumulative count) pairs in ascending order, +Inf last.
 * Returns NaN for an empty histogram.
 */
export function histogramQuantile(q: number, buckets: ReadonlyArray<{ le: number; count: number }>): number {
  const last = buckets[buckets.length - 1];
  if (last === undefined || last.count === 0) return Number.NaN;
  const rank = q * last.count;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const { le, count } of buckets) {
    if (count >= rank) {
      // Like Prometheus: a quantile in the +Inf bucket is reported as the highest finite bound.
      if (le === Number.POSITIVE_INFINITY) return lowerBound;
      if (count === lowerCount) return le;
      return lowerBound + ((le - lowerBound) * (rank - lowerCount)) / (count - lowerCount);
    }
    lowerBound = le;
    lowerCount = count;
  }
  return lowerBound;
}
