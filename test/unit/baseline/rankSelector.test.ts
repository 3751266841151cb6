import { describe, expect, it } from 'vitest';

import { RankSelector } from '../../../src/baseline/rankSelector.js';
import { seededRandom } from '../stats/vectors.js';

function select(values: number[], ranks: number[], opts = { collectLimit: 64, buckets: 16 }): number[] {
  const sorted = Float64Array.from(values).sort();
  const s = new RankSelector(values.length, ranks, sorted[0]!, sorted[sorted.length - 1]!, opts);
  let passes = 0;
  while (!s.done) {
    s.beginPass();
    for (const x of values) s.add(x);
    s.endPass();
    passes++;
    expect(passes).toBeLessThan(200);
  }
  return ranks.map((r) => s.valueAt(r));
}

function expected(values: number[], ranks: number[]): number[] {
  const sorted = Float64Array.from(values).sort();
  return ranks.map((r) => sorted[r]! + 0);
}

const rand = seededRandom(7);
const cases: Record<string, number[]> = {
  uniform: Array.from({ length: 5000 }, () => rand()),
  ties: Array.from({ length: 5000 }, () => Math.floor(rand() * 5)),
  constant: Array.from({ length: 300 }, () => 3.25),
  heavyTail: Array.from({ length: 3000 }, () => Math.tan(Math.PI * (rand() - 0.5))),
  negativeZero: Array.from({ length: 2000 }, (_, i) => (i % 3 === 0 ? -0 : i % 3 === 1 ? 0 : rand() - 0.5)),
  huge: Array.from({ length: 2000 }, () => (rand() - 0.5) * 2 * 1.7e308),
};

describe('RankSelector', () => {
  for (const [name, values] of Object.entries(cases)) {
    it(`finds the exact order statistics: ${name}`, () => {
      const n = values.length;
      const ranks = [0, 1, Math.floor(n / 10), Math.floor(n / 2), Math.floor(n / 2) + 1, n - 2, n - 1];
      expect(select(values, ranks)).toEqual(expected(values, ranks));
    });
  }

  it('detects a pass that saw other values than the first', () => {
    const s = new RankSelector(3, [1], 0, 10, { collectLimit: 2, buckets: 4 });
    s.beginPass();
    for (const x of [0, 5, 10, 6]) s.add(x);
    expect(() => s.endPass()).toThrow(/expected 3/);
  });
});
