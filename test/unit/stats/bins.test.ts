import { describe, expect, it } from 'vitest';

import {
  OTHER_CATEGORY,
  binIndex,
  categoricalBinCounts,
  categoricalBinIndex,
  categoricalBins,
  compareCodePoints,
  numericBinCounts,
  numericCutPoints,
} from '../../../src/stats/bins.js';
import { categoricalCases, numericCases } from './vectors.js';

describe('numeric bins', () => {
  for (const c of numericCases) {
    it(`${c.name}: cut points and counts as the reference vectors`, () => {
      const cuts = numericCutPoints(c.reference, c.bins);
      expect(cuts).toEqual(c.cut_points);
      expect(numericBinCounts(cuts, c.reference)).toEqual(c.reference_counts);
      expect(numericBinCounts(cuts, c.current)).toEqual(c.current_counts);
    });
  }

  it('merges equal cut points, leaving fewer bins', () => {
    // quantiles 0.25, 0.5, 0.75 of [0, 0, 0, 0, 1] are all 0.
    expect(numericCutPoints([1, 0, 0, 0, 0], 4)).toEqual([0]);
    expect(numericCutPoints([5, 5, 5], 10)).toEqual([5]);
    expect(numericCutPoints([3, 1, 2], 1)).toEqual([]);
  });

  it('does not reorder its input', () => {
    const reference = [3, 1, 2];
    numericCutPoints(reference, 2);
    expect(reference).toEqual([3, 1, 2]);
  });

  it('puts a value equal to a cut point in the bin that cut point closes (searchsorted left)', () => {
    const cuts = [1, 2, 3];
    expect([0, 1, 1.5, 2, 2.0000001, 3, 4].map((x) => binIndex(cuts, x))).toEqual([0, 0, 1, 1, 2, 2, 3]);
    expect(binIndex(cuts, -Infinity)).toBe(0);
    expect(binIndex(cuts, Infinity)).toBe(3);
    expect(binIndex(cuts, Number.NaN)).toBe(3);
    expect(binIndex([], 42)).toBe(0);
  });

  it('rejects an empty baseline and a bin count that is not a positive integer', () => {
    expect(() => numericCutPoints([], 10)).toThrow(RangeError);
    expect(() => numericCutPoints([], 1)).toThrow(RangeError);
    expect(() => numericCutPoints([1, 2], 0)).toThrow(RangeError);
    expect(() => numericCutPoints([1, 2], 2.5)).toThrow(RangeError);
  });
});

describe('categorical bins', () => {
  for (const c of categoricalCases) {
    it(`${c.name}: labels and counts as the reference vectors`, () => {
      const bins = categoricalBins(c.reference);
      expect(bins.labels).toEqual(c.categories);
      expect(categoricalBinCounts(bins, c.reference)).toEqual(c.reference_counts);
      expect(categoricalBinCounts(bins, c.current)).toEqual(c.current_counts);
    });
  }

  it('sorts by code point, as Python does, not by UTF-16 code unit', () => {
    const bins = categoricalBins(['😀', '\uFFFD', 'é', 'b', 'a', 'B', 'a']);
    expect(bins.categories).toEqual(['B', 'a', 'b', 'é', '\uFFFD', '😀']);
    expect(bins.labels).toEqual(['B', 'a', 'b', 'é', '\uFFFD', '😀', OTHER_CATEGORY]);
    expect(compareCodePoints('ab', 'a')).toBeGreaterThan(0);
    expect(compareCodePoints('a', 'a')).toBe(0);
  });

  it('sends values unseen in the baseline to the last, __other__ bin', () => {
    const bins = categoricalBins(['US', 'DE']);
    expect(categoricalBinIndex(bins, 'DE')).toBe(0);
    expect(categoricalBinIndex(bins, 'US')).toBe(1);
    expect(categoricalBinIndex(bins, 'BR')).toBe(2);
    expect(categoricalBinCounts(bins, ['BR', 'US', 'FR', 'US'])).toEqual([0, 2, 2]);
  });
});
