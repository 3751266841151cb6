import { describe, expect, it } from 'vitest';
import {
  escapeHtml,
  formatCount,
  formatDuration,
  formatPercent,
  formatPValue,
  formatStat,
  formatTimestamp,
  MISSING,
} from '../../../src/report/format.js';

describe('escapeHtml', () => {
  it('escapes the five characters that matter in text and attributes', () => {
    expect(escapeHtml(`"&'<>`)).toBe('&quot;&amp;&#39;&lt;&gt;');
    expect(escapeHtml('<img src=x onerror=alert(1)>')).toBe('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('leaves other text, including non-ASCII, as it is', () => {
    expect(escapeHtml('età_média 🚀')).toBe('età_média 🚀');
  });

  it('escapes an existing entity again, so data is shown as written', () => {
    expect(escapeHtml('&amp;')).toBe('&amp;amp;');
  });
});

describe('number formats', () => {
  it('p-values: scientific below 1e-3, 4 decimals above, 0 kept exact', () => {
    expect(formatPValue(0.043219)).toBe('0.0432');
    expect(formatPValue(0.001)).toBe('0.0010');
    expect(formatPValue(0.000999)).toBe('9.99e-4');
    expect(formatPValue(1.2345e-12)).toBe('1.23e-12');
    expect(formatPValue(0)).toBe('0');
    expect(formatPValue(1)).toBe('1.0000');
    expect(formatPValue(null)).toBe(MISSING);
    expect(formatPValue(Number.NaN)).toBe(MISSING);
  });

  it('statistics with 4 decimals, scientific when those would hide the value', () => {
    expect(formatStat(0.342149)).toBe('0.3421');
    expect(formatStat(0)).toBe('0.0000');
    expect(formatStat(0.00004)).toBe('4.00e-5');
    expect(formatStat(12.5, 2)).toBe('12.50');
    expect(formatStat(2.5e7)).toBe('2.50e+7');
    expect(formatStat(null)).toBe('–');
    expect(formatStat(Number.POSITIVE_INFINITY)).toBe('–');
  });

  it('percentages, counts and durations', () => {
    expect(formatPercent(0.0125)).toBe('1.25%');
    expect(formatPercent(1)).toBe('100.00%');
    expect(formatPercent(null)).toBe('–');
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(-1234.5)).toBe('-1,234.5');
    expect(formatDuration(600_000)).toBe('10m');
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(90_061_000)).toBe('1d1h1m1s');
    expect(formatDuration(250)).toBe('250ms');
    expect(formatDuration(null)).toBe('–');
  });

  it('timestamps as RFC 3339 UTC, and "–" for values a Date cannot hold', () => {
    expect(formatTimestamp(1714500000000)).toBe('2024-04-30T18:00:00.000Z');
    expect(formatTimestamp(null)).toBe('–');
    expect(formatTimestamp(1e20)).toBe('–');
  });
});
