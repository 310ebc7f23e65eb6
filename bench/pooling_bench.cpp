// Google Benchmark cases for the pooling kernels: the shapes (batch
// 128, MaxPool 2x2 on 26x26x32 and 11x11x64), an overlapping 3x3 / 2 'same'
// window, and global pooling. Each reports the bytes the kernel reads and
// writes per second, the figure the bandwidth target is about.
//
//   cmake -S . -B build-bench -DKERNAS_BUILD_BENCH=ON -DKERNAS_BUILD_PYTHON=OFF
//   cmake --build build-bench && build-bench/pooling_bench
// Set OMP_NUM_THREADS for the thread count, KERNAS_ARCH=reference for the portable kernels.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "bench_support.h"
#include "kernas/ops/pool2d.h"
#include "kernas/parallel.h"

namespace {

// Arguments: height, width, channels, pool, stride, same padding; batch 128.
kernas::Pool2dGeometry geometry(const benchmark::State& state) {
  return kernas::pool2d_geometry(128, state.range(0), state.range(1), state.range(2), state.range(3), state.range(3),
                                 state.range(4), state.range(4), state.range(5) != 0);
}

int64_t input_size(const kernas::Pool2dGeometry& g) { return g.batch * g.height * g.width * g.channels; }
int64_t output_size(const kernas::Pool2dGeometry& g) { return g.batch * g.out_h * g.out_w * g.channels; }

void report(benchmark::State& state, int64_t bytes) {
  state.counters["bytes/s"] =
      benchmark::Counter(static_cast<double>(bytes), benchmark::Counter::kIsIterationInvariantRate,
                         benchmark::Counter::kIs1024);
  state.counters["threads"] = kernas::num_threads();
}

// Reads x, writes y and (range 6) the arg-max indices.
void BM_MaxPoolForward(benchmark::State& state) {
  const auto g = geometry(state);
  const bool with_indices = state.range(6) != 0;
  const auto x = kernas::bench::random_normal(input_size(g), 1);
  std::vector<float> y(output_size(g));
  std::vector<int32_t> indices(output_size(g));
  for (auto _ : state) {
    kernas::max_pool2d_forward(g, x.data(), y.data(), with_indices ? indices.data() : nullptr);
    benchmark::ClobberMemory();
  }
  report(state, 4 * (input_size(g) + output_size(g) * (with_indices ? 2 : 1)));
}

// Reads dy and indices, writes dx.
void BM_MaxPoolBackward(benchmark::State& state) {
  const auto g = geometry(state);
  const auto x = kernas::bench::random_normal(input_size(g), 1), dy = kernas::bench::random_normal(output_size(g), 2);
  std::vector<float> y(output_size(g)), dx(input_size(g));
  std::vector<int32_t> indices(output_size(g));
  kernas::max_pool2d_forward(g, x.data(), y.data(), indices.data());
  for (auto _ : state) {
    kernas::max_pool2d_backward(g, dy.data(), indices.data(), dx.data());
    benchmark::ClobberMemory();
  }
  report(state, 4 * (2 * output_size(g) + input_size(g)));
}

void BM_AvgPoolForward(benchmark::State& state) {
  const auto g = geometry(state);
  const auto x = kernas::bench::random_normal(input_size(g), 1);
  std::vector<float> y(output_size(g));
  for (auto _ : state) {
    kernas::avg_pool2d_forward(g, x.data(), y.data());
    benchmark::ClobberMemory();
  }
  report(state, 4 * (input_size(g) + output_size(g)));
}

void BM_AvgPoolBackward(benchmark::State& state) {
  const auto g = geometry(state);
  const auto dy = kernas::bench::random_normal(output_size(g), 2);
  std::vector<float> dx(input_size(g));
  for (auto _ : state) {
    kernas::avg_pool2d_backward(g, dy.data(), dx.data());
    benchmark::ClobberMemory();
  }
  report(state, 4 * (output_size(g) + input_size(g)));
}

const std::vector<std::vector<int64_t>> kWindows = {
    {26, 26, 32, 2, 2, 0},  // MaxPool 2x2 after a 3x3 conv on 28x28
    {11, 11, 64, 2, 2, 0},  // the second one
    {26, 26, 32, 3, 2, 1},  // overlapping windows, 'same'
};

void window_args(benchmark::internal::Benchmark* bench, bool indices_flag) {
  if (indices_flag)
    bench->ArgNames({"h", "w", "c", "pool", "stride", "same", "indices"});
  else
    bench->ArgNames({"h", "w", "c", "pool", "stride", "same"});
  for (const auto& args : kWindows) {
    if (!indices_flag) {
      bench->Args(args);
      continue;
    }
    for (int64_t flag : {1, 0}) {
      auto with_flag = args;
      with_flag.push_back(flag);
      bench->Args(with_flag);
    }
  }
  bench->Unit(benchmark::kMicrosecond)->UseRealTime();
}

BENCHMARK(BM_MaxPoolForward)->Apply([](auto* bench) { window_args(bench, true); });
BENCHMARK(BM_MaxPoolBackward)->Apply([](auto* bench) { window_args(bench, false); });
BENCHMARK(BM_AvgPoolForward)->Apply([](auto* bench) { window_args(bench, false); });
BENCHMARK(BM_AvgPoolBackward)->Apply([](auto* bench) { window_args(bench, false); });

// Arguments: height, width, channels; batch 128.
void BM_GlobalPool(benchmark::State& state, bool max, bool forward) {
  const int64_t batch = 128, h = state.range(0), w = state.range(1), c = state.range(2);
  const int64_t input = batch * h * w * c, output = batch * c;
  const auto x = kernas::bench::random_normal(input, 1), dy = kernas::bench::random_normal(output, 2);
  std::vector<float> y(output), dx(input);
  std::vector<int32_t> indices(output);
  kernas::global_max_pool2d_forward(batch, h, w, c, x.data(), y.data(), indices.data());
  for (auto _ : state) {
    if (max && forward) kernas::global_max_pool2d_forward(batch, h, w, c, x.data(), y.data(), indices.data());
    if (max && !forward) kernas::global_max_pool2d_backward(batch, h, w, c, dy.data(), indices.data(), dx.data());
    if (!max && forward) kernas::global_avg_pool2d_forward(batch, h, w, c, x.data(), y.data());
    if (!max && !forward) kernas::global_avg_pool2d_backward(batch, h, w, c, dy.data(), dx.data());
    benchmark::ClobberMemory();
  }
  report(state, 4 * (input + output * (max ? 2 : 1)));
}

void global_args(benchmark::internal::Benchmark* bench) {
  bench->ArgNames({"h", "w", "c"})->Args({26, 26, 32})->Args({7, 7, 512})->Unit(benchmark::kMicrosecond)->UseRealTime();
}

BENCHMARK_CAPTURE(BM_GlobalPool, max_forward, true, true)->Apply(global_args);
BENCHMARK_CAPTURE(BM_GlobalPool, max_backward, true, false)->Apply(global_args);
BENCHMARK_CAPTURE(BM_GlobalPool, avg_forward, false, true)->Apply(global_args);
BENCHMARK_CAPTURE(BM_GlobalPool, avg_backward, false, false)->Apply(global_args);

// The bandwidth yardstick, as np.add does it: c = a + b over arrays moving
// `bytes` in all (two read, one written), the same bytes as the pooling cases
// of the 26x26x32 input (its forward reads x and writes y: 13.8 MB).
void BM_StreamAdd(benchmark::State& state) {
  const int64_t n = state.range(0) / 12;
  const auto a = kernas::bench::random_normal(n, 1), b = kernas::bench::random_normal(n, 2);
  std::vector<float> c(n);
  for (auto _ : state) {
    for (int64_t i = 0; i < n; ++i) c[i] = a[i] + b[i];
    benchmark::ClobberMemory();
  }
  report(state, 12 * n);
}

BENCHMARK(BM_StreamAdd)
    ->ArgName("bytes")
    ->Arg(4 * 128 * (26 * 26 * 32 + 13 * 13 * 32))
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

}  // namespace

