import { describe, expect, it } from 'vitest';

import { categoricalBinLabels, formatCutPoint, numericBinLabels } from '../../../src/evaluate/binLabels.js';
import { DEFAULT_DRIFT_THRESHOLDS } from '../../../src/evaluate/thresholds.js';

describe('formatCutPoint', () => {
  it('prints 6 significant digits without trailing zeros', () => {
    expect(formatCutPoint(42.5)).toBe('42.5');
    expect(formatCutPoint(10.9)).toBe('10.9');
    expect(formatCutPoint(100)).toBe('100');
    expect(formatCutPoint(-3)).toBe('-3');
    expect(formatCutPoint(0)).toBe('0');
    expect(formatCutPoint(-0)).toBe('0');
    expect(formatCutPoint(1 / 3)).toBe('0.333333');
    expect(formatCutPoint(0.0001234)).toBe('0.0001234');
    expect(formatCutPoint(1234567)).toBe('1.23457e+6');
    expect(formatCutPoint(1e21)).toBe('1e+21');
    expect(formatCutPoint(-2.5e-9)).toBe('-2.5e-9');
    expect(formatCutPoint(123456.7)).toBe('123457');
  });
});

describe('numericBinLabels', () => {
  it('labels the bins (-inf, c1], (c1, c2], ..., (c_last, +inf)', () => {
    expect(numericBinLabels([1.5, 20, 300.25])).toEqual([
      '(-inf, 1.5]',
      '(1.5, 20]',
      '(20, 300.25]',
      '(300.25, +inf)',
    ]);
    expect(numericBinLabels([0])).toEqual(['(-inf, 0]', '(0, +inf)']);
    expect(numericBinLabels([])).toEqual(['(-inf, +inf)']);
  });

  it('adds digits until neighbouring cut points print apart', () => {
    expect(numericBinLabels([1.0000001, 1.0000002, 5])).toEqual([
      '(-inf, 1.0000001]',
      '(1.0000001, 1.0000002]',
      '(1.0000002, 5]',
      '(5, +inf)',
    ]);
    const close = [0.1, 0.1 + 2 ** -55 * 4];
    const labels = numericBinLabels(close);
    expect(new Set(labels).size).toBe(3);
  });
});

describe('categoricalBinLabels', () => {
  it('is the categories then __other__', () => {
    expect(categoricalBinLabels(['DE', 'FR'])).toEqual(['DE', 'FR', '__other__']);
    expect(categoricalBinLabels([])).toEqual(['__other__']);
  });
});

describe('DEFAULT_DRIFT_THRESHOLDS', () => {
  it('holds the documented defaults, frozen', () => {
    expect(DEFAULT_DRIFT_THRESHOLDS).toEqual({
      psi: 0.2,
      pValue: 0.05,
      correction: 'benjamini-hochberg',
      minKsStatistic: 0.1,
      minJsDistance: 0.1,
      minSamples: 200,
    });
    expect(Object.isFrozen(DEFAULT_DRIFT_THRESHOLDS)).toBe(true);
  });
});
