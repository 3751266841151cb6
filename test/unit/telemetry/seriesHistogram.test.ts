import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';

import { SeriesHistogram } from '../../../src/telemetry/seriesHistogram.js';

const BUCKETS = [0.001, 0.01, 0.1, 0.5, 1];

describe('SeriesHistogram', () => {
  it("prints exactly what prom-client's Histogram prints for the same observations", async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const a = new SeriesHistogram({
      name: 'h_seconds',
      help: 'help text',
      labelNames: ['model', 'v'],
      buckets: BUCKETS,
      registers: [ours],
    });
    const b = new Histogram({
      name: 'h_seconds',
      help: 'help text',
      labelNames: ['model', 'v'],
      buckets: BUCKETS,
      registers: [theirs],
    });
    // Values on bucket bounds (upper-inclusive), between bounds, above the last, zero.
    const values = [0, 0.001, 0.0011, 0.01, 0.05, 0.1, 0.5, 0.75, 1, 2, 1000, 0.25];
    for (const [i, v] of values.entries()) {
      const labels = { model: i % 2 === 0 ? 'm' : 'n', v: i % 3 === 0 ? '1' : '2' };
      a.labels(labels).observe(v);
      b.observe(labels, v);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  it('keeps one handle per label set and counts upper-inclusively', async () => {
    const registry = new Registry();
    const h = new SeriesHistogram({
      name: 'x',
      help: 'x',
      labelNames: ['a'],
      buckets: [1, 2],
      registers: [registry],
    });
    expect(h.labels({ a: 'p' })).toBe(h.labels({ a: 'p' }));
    const s = h.labels({ a: 'p' });
    for (const v of [0.5, 1, 1.5, 2, 3]) s.observe(v);
    expect(s.cumulative()).toEqual([2, 4, 5]);
    expect([s.sum, s.count]).toEqual([8, 5]);
    h.reset();
    expect(await registry.metrics()).toBe('# HELP x x\n# TYPE x histogram\n');
  });
});
