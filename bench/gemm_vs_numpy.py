"""kernas GEMM beside numpy's BLAS, in one run, as GFLOP/s and a ratio.

    python bench/gemm_vs_numpy.py               # 1 and 2 threads, every shape
    python bench/gemm_vs_numpy.py --threads 2 --shapes square

Each thread count runs in its own process, because BLAS libraries read their
thread count from the environment when numpy is imported. Shared machines
are noisy, so the libraries alternate over several rounds: GFLOP/s are
medians over rounds, and the ratio is the median of the rounds' ratios.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

# (label, group, m, k, n, transpose_a, transpose_b); m x k times k x n.
SHAPES = [
    ("square 256", "square", 256, 256, 256, False, False),
    ("square 512", "square", 512, 512, 512, False, False),
    ("square 1024", "square", 1024, 1024, 1024, False, False),
    ("square 2048", "square", 2048, 2048, 2048, False, False),
    ("dense 32x784x128", "training", 32, 784, 128, False, False),
    ("dense 128x784x128", "training", 128, 784, 128, False, False),
    ("dense 128x128x10", "training", 128, 128, 10, False, False),
    ("im2col 15488x288x64", "training", 15488, 288, 64, False, False),
    ("dW 288x15488x64 (A^T)", "training", 288, 15488, 64, True, False),
    ("dX 15488x64x288 (B^T)", "training", 15488, 64, 288, False, True),
]


def target_ratio(group, threads, m):
    """The issue's bar for this row, as a minimum ratio (or None)."""
    if group == "training":
        return 1.0
    if threads == 1 and m >= 512:
        return 0.95
    if threads >= 2 and m >= 1024:
        return 0.90
    return None


def seconds_per_call(fn, samples):
    """Median seconds per call over `samples` samples of about 20 ms each."""
    fn(), fn()  # warm caches, threads and packing buffers
    start = time.perf_counter()
    fn()
    inner = max(1, int(0.02 / max(time.perf_counter() - start, 1e-7)))
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        for _ in range(inner):
            fn()
        times.append((time.perf_counter() - start) / inner)
    return statistics.median(times)


def time_both(run_kernas, run_numpy, rounds, threads):
    """Median seconds per call of each library, and the median of their ratios.

    Rounds alternate between the libraries so that both see the same slowly
    changing load of a shared machine; the ratio of each round compares
    neighbours in time. With several threads, each library keeps its workers
    spinning for a while after a call, which would steal cores from the
    other, so a pause separates them.
    """
    pause = 0.3 if threads > 1 else 0.0
    kernas_times, numpy_times = [], []
    for _ in range(rounds):
        kernas_times.append(seconds_per_call(run_kernas, 3))
        time.sleep(pause)
        numpy_times.append(seconds_per_call(run_numpy, 3))
        time.sleep(pause)
    ratios = [n / k for k, n in zip(kernas_times, numpy_times)]
    return statistics.median(kernas_times), statistics.median(numpy_times), statistics.median(ratios)


def run_one_thread_count(threads, groups, rounds):
    import numpy as np

    import kernas

    kernas.config.set_num_threads(threads)
    rng = np.random.default_rng(0)
    for label, group, m, k, n, ta, tb in SHAPES:
        if group not in groups:
            continue
        a = rng.standard_normal((k, m) if ta else (m, k), dtype=np.float32)
        b = rng.standard_normal((n, k) if tb else (k, n), dtype=np.float32)
        c_kernas = np.empty((m, n), np.float32)
        c_numpy = np.empty((m, n), np.float32)
        op_a, op_b = (a.T if ta else a), (b.T if tb else b)
        kernas_seconds, numpy_seconds, ratio = time_both(
            lambda: kernas.ops.gemm(a, b, c_kernas, transpose_a=ta, transpose_b=tb),
            lambda: np.matmul(op_a, op_b, out=c_numpy),
            rounds,
            threads,
        )
        gflops = {"kernas": 2.0 * m * n * k / kernas_seconds / 1e9, "numpy": 2.0 * m * n * k / numpy_seconds / 1e9}
        bar = target_ratio(group, threads, m)
        verdict = "" if bar is None else ("  ok (>= %.2f)" % bar if ratio >= bar else "  MISS (< %.2f)" % bar)
        print(
            "%-24s %7d %10.1f %10.1f %8.2fx%s" % (label, threads, gflops["kernas"], gflops["numpy"], ratio, verdict),
            flush=True,
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--shapes", choices=["all", "square", "training"], default="all")
    parser.add_argument("--rounds", type=int, default=7, help="alternating rounds per shape; medians are reported")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    groups = {"square", "training"} if args.shapes == "all" else {args.shapes}

    if args.child:
        run_one_thread_count(args.threads[0], groups, args.rounds)
        return 0

    import kernas

    print("kernas %s, kernel set %s, numpy's BLAS for comparison" % (kernas.__version__, kernas.config.cpu_features()))
    print("%-24s %7s %10s %10s %9s" % ("shape (m x k x n)", "threads", "kernas", "numpy", "ratio"))
    print("%-24s %7s %10s %10s" % ("", "", "GFLOP/s", "GFLOP/s"))
    for threads in args.threads:
        env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads),
                   MKL_NUM_THREADS=str(threads))
        command = [sys.executable, __file__, "--child", "--threads", str(threads), "--shapes", args.shapes,
                   "--rounds", str(args.rounds)]
        if subprocess.call(command, env=env) != 0:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
