import { describe, expect, it } from 'vitest';

import { histogramQuantile } from '../../../src/telemetry/histogramQuantile.js';

const inf = Number.POSITIVE_INFINITY;

describe('histogramQuantile (PromQL histogram_quantile semantics)', () => {
  it('interpolates linearly inside the bucket holding the rank', () => {
    // 100 observations: 50 in (0, 0.1], 40 in (0.1, 0.5], 10 in (0.5, 1].
    const buckets = [
      { le: 0.1, count: 50 },
      { le: 0.5, count: 90 },
      { le: 1, count: 100 },
      { le: inf, count: 100 },
    ];
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.1, 15);
    expect(histogramQuantile(0.7, buckets)).toBeCloseTo(0.1 + 0.4 * (20 / 40), 15);
    expect(histogramQuantile(0.99, buckets)).toBeCloseTo(0.5 + 0.5 * (9 / 10), 15);
    expect(histogramQuantile(0.25, buckets)).toBeCloseTo(0.05, 15);
  });

  it('answers the highest finite bound when the rank falls in +Inf, and NaN when empty', () => {
    expect(
      histogramQuantile(0.99, [
        { le: 1, count: 1 },
        { le: inf, count: 10 },
      ]),
    ).toBe(1);
    expect(
      histogramQuantile(0.5, [
        { le: 1, count: 0 },
        { le: inf, count: 0 },
      ]),
    ).toBeNaN();
  });
});
