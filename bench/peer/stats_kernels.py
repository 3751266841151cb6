"""numpy/scipy side of bench/stats.ts: the same kernels on the same data, timed the same way.

Reads the samples the TypeScript side wrote (float64 little-endian files), prints one JSON
object per line: {"kernel", "n", "seconds"} (median of the repeats).
"""
import json
import statistics
import sys
import time

import numpy as np
from scipy import stats


def psi(ref, cur, bins=10, eps=1e-4):
    cuts = np.unique(np.quantile(ref, np.arange(1, bins) / bins))
    r = np.bincount(np.searchsorted(cuts, ref, side="left"), minlength=len(cuts) + 1) / len(ref)
    c = np.bincount(np.searchsorted(cuts, cur, side="left"), minlength=len(cuts) + 1) / len(cur)
    r = np.where(r == 0, eps, r)
    c = np.where(c == 0, eps, c)
    return float(np.sum((c - r) * np.log(c / r)))


def timed(fn, repeats):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main():
    folder, sizes = sys.argv[1], [int(s) for s in sys.argv[2].split(",")]
    for n in sizes:
        ref = np.fromfile(f"{folder}/ref-{n}.f64", dtype="<f8")
        cur = np.fromfile(f"{folder}/cur-{n}.f64", dtype="<f8")
        repeats = 5 if n <= 100_000 else 3
        kernels = {
            "psi": lambda: psi(ref, cur),
            "ks exact": lambda: stats.ks_2samp(ref, cur, method="exact"),
            "ks asymp": lambda: stats.ks_2samp(ref, cur, method="asymp"),
            "ks kolmogorov": lambda: stats.kstwobign.sf(
                np.sqrt(n * n / (2 * n)) * stats.ks_2samp(ref, cur, method="asymp").statistic
            ),
        }
        for name, fn in kernels.items():
            fn()  # warm-up
            print(json.dumps({"kernel": name, "n": n, "seconds": timed(fn, repeats)}), flush=True)


if __name__ == "__main__":
    main()
