// Google Benchmark cases for the GEMM: the shapes through the public
// kernas::sgemm, and the bare micro-kernel on L1-resident panels (its ceiling).
//
//   cmake -S . -B build-bench -DKERNAS_BUILD_BENCH=ON -DKERNAS_BUILD_PYTHON=OFF
//   cmake --build build-bench && build-bench/gemm_bench
// Set OMP_NUM_THREADS (or --threads below) for the thread count.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <vector>

#include "bench_support.h"
#include "kernas/cpu_features.h"
#include "kernas/gemm/blocking.h"
#include "kernas/gemm/gemm.h"
#include "kernas/gemm/microkernel.h"
#include "kernas/parallel.h"

namespace {

// Arguments: m, k, n, transpose_a, transpose_b.
void BM_Sgemm(benchmark::State& state) {
  const int64_t m = state.range(0), k = state.range(1), n = state.range(2);
  const bool ta = state.range(3) != 0, tb = state.range(4) != 0;
  const auto a = kernas::bench::random_normal(m * k, 1), b = kernas::bench::random_normal(k * n, 2);
  std::vector<float> c(m * n);
  for (auto _ : state) {
    kernas::sgemm(ta, tb, m, n, k, 1.0f, a.data(), ta ? m : k, b.data(), tb ? k : n, 0.0f, c.data(), n);
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  state.counters["GFLOP/s"] =
      benchmark::Counter(2.0 * m * n * k, benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
  state.counters["threads"] = kernas::num_threads();
}

BENCHMARK(BM_Sgemm)
    ->ArgNames({"m", "k", "n", "ta", "tb"})
    ->Args({256, 256, 256, 0, 0})
    ->Args({512, 512, 512, 0, 0})
    ->Args({1024, 1024, 1024, 0, 0})
    ->Args({2048, 2048, 2048, 0, 0})
    ->Args({1024, 1024, 1024, 1, 0})
    ->Args({1024, 1024, 1024, 0, 1})
    ->Args({1024, 1024, 1024, 1, 1})
    ->Args({32, 784, 128, 0, 0})
    ->Args({128, 784, 128, 0, 0})
    ->Args({128, 128, 10, 0, 0})
    ->Args({15488, 288, 64, 0, 0})
    ->Args({288, 15488, 64, 1, 0})
    ->Args({15488, 64, 288, 0, 1})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// One full tile over packed panels that stay in L1: the micro-kernel's peak.
void BM_MicroKernel(benchmark::State& state) {
  const int64_t kc = state.range(0);
  const auto a = kernas::bench::random_normal(kc * kernas::gemm::kMR, 3), b = kernas::bench::random_normal(kc * kernas::gemm::kNR, 4);
  std::vector<float> c(kernas::gemm::kMR * kernas::gemm::kNR);
  const auto kernel = kernas::gemm::gemm_tuning(kernas::active_arch()).kernel;
  for (auto _ : state) {
    kernel(kc, kernas::gemm::kMR, kernas::gemm::kNR, 1.0f, a.data(), 1, kernas::gemm::kMR, b.data(),
           kernas::gemm::kNR, true, 1.0f, c.data(), kernas::gemm::kNR);
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * kc * kernas::gemm::kMR * kernas::gemm::kNR,
                                                 benchmark::Counter::kIsIterationInvariantRate,
                                                 benchmark::Counter::kIs1000);
}

BENCHMARK(BM_MicroKernel)->Arg(64)->Arg(256)->Arg(512);

}  // namespace

