// Google Benchmark cases for dropout: the MNIST convnet's Dropout(0.5) after
// Flatten (batch 128 x 1600), an MLP's hidden layer (32 x 128 and 128 x 128),
// and a large array (2^22) that shows the per-element rate and the threads.
//
//   cmake -S . -B build-bench -DKERNAS_BUILD_BENCH=ON -DKERNAS_BUILD_PYTHON=OFF
//   cmake --build build-bench && build-bench/dropout_bench
// Set OMP_NUM_THREADS for the thread count; KERNAS_ARCH=reference for the portable kernel.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "bench_support.h"
#include "kernas/ops/dropout.h"
#include "kernas/parallel.h"

namespace {

void set_counters(benchmark::State& state, int64_t count) {
  state.counters["elements/s"] =
      benchmark::Counter(static_cast<double>(count), benchmark::Counter::kIsIterationInvariantRate);
  state.SetBytesProcessed(state.iterations() * count * 2 * static_cast<int64_t>(sizeof(float)));
  state.counters["threads"] = kernas::num_threads();
}

// Arguments: element count. A new step each call, as in training.
void BM_DropoutForward(benchmark::State& state) {
  const int64_t count = state.range(0);
  const auto x = kernas::bench::random_normal(count, 1);
  std::vector<float> y(count);
  uint64_t step = 0;
  for (auto _ : state) {
    kernas::dropout_forward(count, x.data(), 0.5, 1234, step++, y.data());
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, count);
}

void BM_DropoutBackwardInPlace(benchmark::State& state) {
  const int64_t count = state.range(0);
  auto dy = kernas::bench::random_normal(count, 2);
  uint64_t step = 0;
  for (auto _ : state) {
    kernas::dropout_backward(count, dy.data(), 0.5, 1234, step++, dy.data());
    benchmark::DoNotOptimize(dy.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, count);
}

BENCHMARK(BM_DropoutForward)
    ->ArgName("count")
    ->Arg(32 * 128)
    ->Arg(128 * 128)
    ->Arg(128 * 1600)
    ->Arg(1 << 22)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK(BM_DropoutBackwardInPlace)->ArgName("count")->Arg(128 * 1600)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace

