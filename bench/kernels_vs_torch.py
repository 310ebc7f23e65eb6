"""kernas's training kernels beside PyTorch (and numpy's np.add for bandwidth), in one run.

Every case times kernas and its competitors on the same data, alternating
between them over rounds (these machines are shared and noisy), and reports
the median time of each and the ratio competitor/kernas against the fastest
competitor (above 1: kernas is faster).

    python bench/kernels_vs_torch.py [--threads 1 2] [--rounds 7] [--only conv pool]
"""

import argparse
import gc
import importlib
import os
import statistics
import subprocess
import sys
import time

AREAS = ["conv", "pooling", "activations", "dense", "adam", "losses", "dropout"]


def time_once(fn, min_seconds=0.05):
    """Seconds per call, from enough back-to-back calls to fill min_seconds."""
    calls, elapsed = 0, 0.0
    start = time.perf_counter()
    while elapsed < min_seconds or calls < 2:
        fn()
        calls += 1
        elapsed = time.perf_counter() - start
    return elapsed / calls


def run_cases(areas, rounds):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    for area in areas:
        module = importlib.import_module(f"compare.{area}")
        for case in module.cases():
            contenders = {"kernas": case.kernas, **case.competitors}
            for fn in contenders.values():  # warm up: allocations, thread pools, caches
                fn()
            times = {name: [] for name in contenders}
            for _ in range(rounds):
                for name, fn in contenders.items():
                    gc.collect()
                    time.sleep(0.02)  # let the other library's spinning threads go to sleep
                    times[name].append(time_once(fn))
            medians = {name: statistics.median(values) for name, values in times.items()}
            best = min(case.competitors, key=medians.get)
            ratio = medians[best] / medians["kernas"]
            others = "  ".join(f"{name} {medians[name] * 1e3:8.3f} ms" for name in case.competitors)
            verdict = "met" if ratio >= case.target else "MISSED"
            print(
                f"{case.name:<48} kernas {medians['kernas'] * 1e3:8.3f} ms  {others}  "
                f"ratio {ratio:5.2f} vs {best} (target {case.target:.2f}: {verdict})",
                flush=True,
            )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--only", nargs="+", choices=AREAS, default=AREAS)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        import kernas
        import torch

        kernas.config.set_num_threads(args.threads[0])
        torch.set_num_threads(args.threads[0])
        run_cases(args.only, args.rounds)
        return
    # One process per thread count: OpenMP and torch size their pools at start-up.
    for threads in args.threads:
        print(f"== {threads} thread(s)", flush=True)
        env = dict(os.environ, OMP_NUM_THREADS=str(threads))
        command = [sys.executable, __file__, "--child", "--threads", str(threads), "--rounds", str(args.rounds)]
        subprocess.run(command + ["--only", *args.only], env=env, check=True)


if __name__ == "__main__":
    main()
