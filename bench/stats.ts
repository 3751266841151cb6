/**
 * Kernel throughput of the drift statistics against numpy/scipy on the same data in the
 * same run: PSI (cut points from the reference, bin both samples, PSI) and the two-sample
 * KS test with each p-value method, at n = 1e3, 1e5, 1e6 (reference and current of n values
 * each, the current shifted by 0.05 sd). Each kernel starts from unsorted samples, as
 * scipy's does. Medians of 5 repeats (3 at 1e6) after a warm-up.
 *
 *   npm run bench:stats
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { numericBinCounts, numericCutPoints } from '../src/stats/bins.js';
import { ksTest, type KsMethod } from '../src/stats/ksTwoSample.js';
import { psiFromCounts } from '../src/stats/psi.js';

const SIZES = (process.env.BENCH_SIZES ?? '1000,100000,1000000').split(',').map(Number);
const PYTHON = process.env.BENCH_PYTHON ?? 'python3';

function normals(n: number, seed: number, shift: number): Float64Array {
  let s = seed >>> 0;
  const u = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 1) / 4294967297;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = shift + Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function timed(fn: () => unknown, repeats: number): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    fn();
    times.push((performance.now() - t) / 1000);
  }
  return median(times);
}

const folder = mkdtempSync(join(tmpdir(), 'driftwatch-bench-stats-'));
const ours = new Map<string, number>();
for (const n of SIZES) {
  const ref = normals(n, 1, 0);
  const cur = normals(n, 2, 0.05);
  writeFileSync(join(folder, `ref-${n}.f64`), Buffer.from(ref.buffer));
  writeFileSync(join(folder, `cur-${n}.f64`), Buffer.from(cur.buffer));
  const repeats = n <= 100_000 ? 5 : 3;
  ours.set(
    `psi|${n}`,
    timed(() => psiFromCounts(...counts(ref, cur)), repeats),
  );
  for (const method of ['exact', 'asymp', 'kolmogorov'] satisfies KsMethod[]) {
    ours.set(
      `ks ${method}|${n}`,
      timed(() => ksTest(ref, cur, method), repeats),
    );
  }
}

function counts(ref: Float64Array, cur: Float64Array): [number[], number[]] {
  const cuts = numericCutPoints(ref);
  return [numericBinCounts(cuts, ref), numericBinCounts(cuts, cur)];
}

const peer = new Map<string, number>();
try {
  const out = execFileSync(
    PYTHON,
    [join(import.meta.dirname, 'peer', 'stats_kernels.py'), folder, SIZES.join(',')],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    },
  );
  for (const line of out.trim().split('\n')) {
    const r = JSON.parse(line) as { kernel: string; n: number; seconds: number };
    peer.set(`${r.kernel}|${r.n}`, r.seconds);
  }
} catch (error) {
  console.error(
    `numpy/scipy peer did not run (${(error as Error).message.split('\n')[0]}); install bench/peer/requirements.txt`,
  );
}

console.log('kernel           n          driftwatch      numpy/scipy     driftwatch / scipy time');
for (const [key, seconds] of ours) {
  const [kernel, n] = key.split('|') as [string, string];
  const theirs = peer.get(key);
  console.log(
    `${kernel.padEnd(16)} ${n.padEnd(10)} ${(seconds * 1000).toFixed(2).padStart(10)} ms  ${
      theirs === undefined ? '         n/a' : `${(theirs * 1000).toFixed(2).padStart(10)} ms`
    }  ${theirs === undefined ? '' : (seconds / theirs).toFixed(2).padStart(8)}`,
  );
}
