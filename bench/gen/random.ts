/**
 * A seeded random source and the few distributions the replay benchmark's data is drawn from.
 * The data must be the same on every machine and every run (the fixture's expectations and the
 * benchmark's cache depend on it), so nothing here touches Math.random, and every draw uses only
 * operations whose results IEEE 754 and ECMAScript pin down (+, *, /, Math.sqrt) or that V8 and
 * every engine since compute the same way (Math.log, Math.cos, Math.exp).
 *
 * Used by bench/gen/profiles.ts only. Not cryptographic; not for the daemon.
 */

/** A uniform draw in (0, 1), never 0 or 1 (so that log(u) is finite). */
export type Uniform = () => number;

/**
 * sfc32 (Chris Doty-Humphrey's small fast counting generator), seeded by splitmix32 so that nearby
 * seeds give unrelated streams. 32 bits per draw; fast, and good enough for test data.
 */
export function seededUniform(seed: number): Uniform {
  let s = seed >>> 0;
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const next = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) next();
  return () => (next() + 0.5) / 4294967296;
}

/** The distributions drawn from one uniform stream. Each profile feature gets a stream of its own. */
export class Draw {
  private spare: number | null = null;

  constructor(readonly uniform: Uniform) {}

  /** Normal(mean, sd) by Box–Muller, keeping the second value of each pair. */
  normal(mean = 0, sd = 1): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return mean + sd * z;
    }
    const r = Math.sqrt(-2 * Math.log(this.uniform()));
    const theta = 2 * Math.PI * this.uniform();
    this.spare = r * Math.sin(theta);
    return mean + sd * r * Math.cos(theta);
  }

  /** exp(Normal(mu, sigma)): a heavy right tail. */
  lognormal(mu: number, sigma: number): number {
    return Math.exp(this.normal(mu, sigma));
  }

  uniformBetween(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** An integer in [lo, hi], each equally likely. */
  integerBetween(lo: number, hi: number): number {
    return lo + Math.floor(this.uniform() * (hi - lo + 1));
  }

  /** Poisson(lambda) by Knuth's product of uniforms: fine for the small lambdas used here (<= 20). */
  poisson(lambda: number): number {
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = this.uniform();
    while (p > limit) {
      k++;
      p *= this.uniform();
    }
    return k;
  }

  exponential(mean: number): number {
    return -mean * Math.log(this.uniform());
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.uniform() < p;
  }

  /** One of `items`, with probabilities proportional to `weights` (same length). */
  pick<T>(items: readonly T[], cumulative: readonly number[]): T {
    const total = cumulative[cumulative.length - 1]!;
    const u = this.uniform() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    return items[lo]!;
  }
}

/** Running sums of `weights`, for {@link Draw.pick}. */
export function cumulativeWeights(weights: readonly number[]): number[] {
  let sum = 0;
  return weights.map((w) => (sum += w));
}

/** x rounded to `digits` significant digits, as the shortest decimal that reads back to the same double. */
export function significant(x: number, digits: number): number {
  return Number(x.toPrecision(digits));
}

/** x rounded to `decimals` places after the point. */
export function decimals(x: number, places: number): number {
  const f = 10 ** places;
  return Math.round(x * f) / f;
}
