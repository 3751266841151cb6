/**
 * Labels of PSI bins as the report and the status API show them: numeric bins as intervals
 * `(-inf, c1]`, `(c1, c2]`, ..., `(c_last, +inf)` (statistics.md: x equal to a cut point falls in the
 * bin the cut closes), categorical bins as their categories then `__other__`.
 *
 * Pure. Called by the evaluator once per feature and evaluation.
 */

import { OTHER_CATEGORY } from '../stats/bins.js';

/** Significant digits of a cut point in a label when they tell its neighbours apart. */
const LABEL_PRECISION = 6;
/** Enough digits to tell any two distinct doubles apart. */
const MAX_PRECISION = 17;

/**
 * A number in few characters: `toPrecision(precision)` with trailing zeros (and a bare decimal point)
 * removed, so 42.5 is "42.5", 1234567 is "1.23457e+6" and -0 is "0". Pure.
 */
export function formatCutPoint(x: number, precision: number = LABEL_PRECISION): string {
  if (x === 0) return '0';
  const text = x.toPrecision(precision);
  const e = text.indexOf('e');
  const mantissa = e < 0 ? text : text.slice(0, e);
  const exponent = e < 0 ? '' : text.slice(e);
  const trimmed = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
  return trimmed + exponent;
}

/**
 * The labels of the cuts.length + 1 numeric bins. Cut points get 6 significant digits, or more when
 * 6 would print two neighbouring cut points alike (cuts closer than one part in a million), so no two
 * labels are ever equal. `(-inf, +inf)` for a feature without cut points. Pure; O(cuts).
 */
export function numericBinLabels(cuts: readonly number[]): string[] {
  let precision = LABEL_PRECISION;
  let texts = cuts.map((c) => formatCutPoint(c, precision));
  while (precision < MAX_PRECISION && texts.some((t, i) => i > 0 && t === texts[i - 1])) {
    precision++;
    texts = cuts.map((c) => formatCutPoint(c, precision));
  }
  const labels: string[] = [];
  let lower = '-inf';
  for (const text of texts) {
    labels.push(`(${lower}, ${text}]`);
    lower = text;
  }
  labels.push(`(${lower}, +inf)`);
  return labels;
}

/** The labels of the categorical bins: the categories in the baseline's order, then `__other__`. Pure. */
export function categoricalBinLabels(categories: readonly string[]): string[] {
  return [...categories, OTHER_CATEGORY];
}
