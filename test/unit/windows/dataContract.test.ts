import { describe, expect, it } from 'vitest';

import { compileContract, MISSING, NAN, NULL_VALUE, WRONG_TYPE } from '../../../src/windows/dataContract.js';
import { addToWindow, emptyWindowCounts } from '../../../src/stats/ksSummary.js';
import { seededRandom } from '../stats/vectors.js';
import { categoricalFeature, numericFeature } from './baselineOf.js';

// 1..100: B = 10 gives cuts 10.9, 20.8, ..., 90.1; Q = 1000 keeps every value as a KS edge.
const amount = numericFeature(
  'amount',
  Array.from({ length: 100 }, (_, i) => i + 1),
);

describe('numeric contract', () => {
  const contract = compileContract(amount);

  it('puts a finite number in the bin of the cut points strictly below it', () => {
    expect(contract.binCount).toBe(10);
    expect(contract.classify(1)).toBe(0);
    expect(contract.classify(10.9)).toBe(0); // a cut point closes its bin
    expect(contract.classify(10.91)).toBe(1);
    expect(contract.classify(42.5)).toBe(4);
    expect(contract.classify(-1e300)).toBe(0);
    expect(contract.classify(1e300)).toBe(9);
    expect(contract.classify(-0)).toBe(0);
  });

  it('classifies every invalid value by its issue', () => {
    expect(contract.classify(undefined)).toBe(MISSING);
    expect(contract.classify(null)).toBe(NULL_VALUE);
    expect(contract.classify(Number.NaN)).toBe(NAN);
    expect(contract.classify(Number.POSITIVE_INFINITY)).toBe(NAN);
    expect(contract.classify(Number.NEGATIVE_INFINITY)).toBe(NAN);
    for (const v of ['42', '', true, false, {}, [], [1]]) expect(contract.classify(v)).toBe(WRONG_TYPE);
  });

  it('gives the KS slot that addToWindow counts in, for values on, between and beyond the edges', () => {
    const quantile = numericFeature(
      'q',
      Array.from({ length: 500 }, (_, i) => Math.round(((i * 7919) % 500) / 3)),
      { quantiles: 20 },
    );
    const c = compileContract(quantile);
    expect(quantile.ks.kind).toBe('quantile');
    const random = seededRandom(11);
    const values = [-5, 0, 166, 167, 1000];
    for (let i = 0; i < 2000; i++) values.push(Math.round(random() * 340) / 2 - 2);
    for (const x of values) {
      const counts = emptyWindowCounts(quantile.ks);
      addToWindow(quantile.ks, counts, x);
      expect(counts[c.ksSlot(x)], `x = ${x}`).toBe(1);
    }
  });

  it('finds the same KS slot with the edge table of a large summary, whatever the data', () => {
    const random = seededRandom(12);
    const normal = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const references: [string, number[]][] = [
      ['continuous, quantile summary', Array.from({ length: 20_000 }, normal)],
      ['integers, exact summary', Array.from({ length: 5000 }, () => Math.round(normal() * 100))],
      ['heavy ties at one value', Array.from({ length: 5000 }, () => (random() < 0.7 ? 0 : normal()))],
      [
        'a tiny spread at a large magnitude',
        Array.from({ length: 5000 }, () => 1e15 + Math.round(normal() * 50)),
      ],
      ['skewed', Array.from({ length: 5000 }, () => Math.exp(normal() * 4))],
    ];
    for (const [name, values] of references) {
      const feature = numericFeature('x', values, { quantiles: 500 });
      const c = compileContract(feature);
      const edges = feature.ks.edges;
      expect(edges.length, name).toBeGreaterThanOrEqual(64);
      const probes = [...edges, ...values.slice(0, 2000), edges[0]! - 1, edges[edges.length - 1]! + 1];
      for (let i = 1; i < edges.length; i++) probes.push((edges[i - 1]! + edges[i]!) / 2);
      for (const x of probes) {
        const counts = emptyWindowCounts(feature.ks);
        addToWindow(feature.ks, counts, x);
        if (counts[c.ksSlot(x)] !== 1) expect.fail(`${name}: x = ${x} is not in slot ${c.ksSlot(x)}`);
      }
    }
  });

  it('takes the score of a prediction, else its label (a wrong type), else nothing', () => {
    expect(contract.predictionValue({ score: 0.9, label: 'fraud' })).toBe(0.9);
    expect(contract.predictionValue({ score: null, label: 'fraud' })).toBe('fraud');
    expect(contract.predictionValue({ score: null, label: null })).toBeUndefined();
  });
});

describe('categorical contract', () => {
  const country = compileContract(
    categoricalFeature('country', ['US', 'DE', 'DE', '7', '-1.5', 'true', '007']),
  );
  // Categories in code point order: -1.5, 007, 7, DE, US, true; then __other__ (6).

  it('bins strings by category, unseen ones in __other__', () => {
    expect(country.binCount).toBe(7);
    expect(country.otherBin).toBe(6);
    expect(country.classify('DE')).toBe(3);
    expect(country.classify('true')).toBe(5);
    expect(country.classify('de')).toBe(6);
    expect(country.classify('')).toBe(6);
  });

  it('takes finite numbers and booleans as their text', () => {
    expect(country.classify(7)).toBe(2);
    expect(country.classify(-1.5)).toBe(0);
    expect(country.classify(true)).toBe(5);
    expect(country.classify(false)).toBe(6); // "false" is not a category
    expect(country.classify(8)).toBe(6);
    expect(country.classify(-0)).toBe(6); // String(-0) is "0", not a category
  });

  it('matches the number-keyed lookup with String(x) for many numbers', () => {
    const texts = [
      '0',
      '1',
      '-1',
      '0.1',
      '1e+21',
      '1e-7',
      '123456789012345680000',
      '2.5',
      '-0',
      '01',
      '1.0',
      ' 1',
    ];
    const c = compileContract(categoricalFeature('n', texts));
    const probes = [0, -0, 1, -1, 0.1, 1e21, 1e-7, 123456789012345680000, 2.5, 1.0, 3, 0.30000000000000004];
    for (const x of probes) {
      expect(c.classify(x), `x = ${x}`).toBe(c.classify(String(x)));
    }
  });

  it('rejects NaN, infinities, objects and arrays as wrong types', () => {
    expect(country.classify(undefined)).toBe(MISSING);
    expect(country.classify(null)).toBe(NULL_VALUE);
    for (const v of [Number.NaN, Number.POSITIVE_INFINITY, {}, ['DE']])
      expect(country.classify(v)).toBe(WRONG_TYPE);
  });

  it('takes the label of a prediction, else its score as text', () => {
    expect(country.predictionValue({ score: 0.2, label: 'DE' })).toBe('DE');
    expect(country.predictionValue({ score: 7, label: null })).toBe(7);
    expect(country.predictionValue({ score: null, label: null })).toBeUndefined();
  });
});

describe('boolean contract', () => {
  const flag = compileContract(categoricalFeature('is_new', ['true', 'false', 'true'], 'boolean'));
  const onlyTrue = compileContract(categoricalFeature('always', ['true'], 'boolean'));

  it('accepts booleans and their text in any case', () => {
    expect(flag.classify(false)).toBe(0);
    expect(flag.classify(true)).toBe(1);
    expect(flag.classify('TRUE')).toBe(1);
    expect(flag.classify('False')).toBe(0);
    expect(flag.classify('true')).toBe(1);
  });

  it('counts a boolean the baseline never held as unseen', () => {
    expect(onlyTrue.classify(true)).toBe(0);
    expect(onlyTrue.classify(false)).toBe(onlyTrue.otherBin);
    expect(onlyTrue.otherBin).toBe(1);
  });

  it('rejects everything else as a wrong type', () => {
    for (const v of [1, 0, 'yes', 't', ' true', 'truex', Number.NaN, {}])
      expect(flag.classify(v)).toBe(WRONG_TYPE);
    expect(flag.classify(undefined)).toBe(MISSING);
    expect(flag.classify(null)).toBe(NULL_VALUE);
  });
});
