// Google Benchmark cases for the batch-normalization kernels: batch 128 after a
// 3x3 conv on 28x28 (26x26x32, NHWC), and a Dense-sized 128 x 512 case. Each
// reports the bytes it must move per second (training forward: x read, y
// written; backward: x and dy read twice, dx written).
//
//   cmake -S . -B build-bench -DKERNAS_BUILD_BENCH=ON -DKERNAS_BUILD_PYTHON=OFF
//   cmake --build build-bench && build-bench/batch_norm_bench
// Set OMP_NUM_THREADS for the thread count, KERNAS_ARCH=reference for the portable kernels.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "bench_support.h"
#include "kernas/ops/batch_norm.h"
#include "kernas/parallel.h"

namespace {

// Arguments: rows (batch x positions), channels.
struct Case {
  int64_t rows, channels;
  std::vector<float> x, dy, gamma, beta, y, dx, mean, variance, inv_std, moving_mean, moving_variance, dgamma,
      dbeta;

  explicit Case(const benchmark::State& state) : rows(state.range(0)), channels(state.range(1)) {
    const int64_t size = rows * channels;
    x = kernas::bench::random_normal(size, 1);
    dy = kernas::bench::random_normal(size, 2);
    gamma = kernas::bench::random_normal(channels, 3);
    beta = kernas::bench::random_normal(channels, 4);
    y.resize(size);
    dx.resize(size);
    for (auto* v : {&mean, &variance, &inv_std, &moving_mean, &moving_variance, &dgamma, &dbeta}) v->resize(channels);
  }

  void forward() {
    kernas::batch_norm_forward_training(rows, channels, x.data(), gamma.data(), beta.data(), 1e-3f, y.data(),
                                        mean.data(), variance.data(), inv_std.data(), moving_mean.data(),
                                        moving_variance.data(), 0.99f, 0.01f);
  }
  void backward() {
    kernas::batch_norm_backward(rows, channels, x.data(), dy.data(), mean.data(), inv_std.data(), gamma.data(), true,
                                dx.data(), dgamma.data(), dbeta.data());
  }
  int64_t bytes() const { return 4 * rows * channels; }
};

void report(benchmark::State& state, int64_t bytes) {
  state.counters["bytes/s"] =
      benchmark::Counter(static_cast<double>(bytes), benchmark::Counter::kIsIterationInvariantRate,
                         benchmark::Counter::kIs1024);
  state.counters["threads"] = kernas::num_threads();
}

// Reads x (the statistics pass re-reads each chunk from cache), writes y.
void BM_BatchNormForwardTraining(benchmark::State& state) {
  Case c(state);
  for (auto _ : state) {
    c.forward();
    benchmark::ClobberMemory();
  }
  report(state, 2 * c.bytes());
}

void BM_BatchNormForwardInference(benchmark::State& state) {
  Case c(state);
  for (auto _ : state) {
    kernas::batch_norm_forward_inference(c.rows, c.channels, c.x.data(), c.moving_mean.data(),
                                         c.moving_variance.data(), c.gamma.data(), c.beta.data(), 1e-3f, c.y.data(),
                                         c.inv_std.data());
    benchmark::ClobberMemory();
  }
  report(state, 2 * c.bytes());
}

// Reads x and dy for the sums, again for dx, writes dx.
void BM_BatchNormBackwardTraining(benchmark::State& state) {
  Case c(state);
  c.forward();
  for (auto _ : state) {
    c.backward();
    benchmark::ClobberMemory();
  }
  report(state, 5 * c.bytes());
}

// One training step of the layer: forward then backward.
void BM_BatchNormForwardBackward(benchmark::State& state) {
  Case c(state);
  for (auto _ : state) {
    c.forward();
    c.backward();
    benchmark::ClobberMemory();
  }
  report(state, 7 * c.bytes());
}

void cases(benchmark::internal::Benchmark* bench) {
  bench->ArgNames({"rows", "channels"})
      ->Args({128 * 26 * 26, 32})  // BatchNormalization after Conv2D(32, 3) on 28x28, batch 128
      ->Args({128, 512})           // after Dense(512), batch 128
      ->Unit(benchmark::kMicrosecond)
      ->UseRealTime();
}

BENCHMARK(BM_BatchNormForwardTraining)->Apply(cases);
BENCHMARK(BM_BatchNormForwardInference)->Apply(cases);
BENCHMARK(BM_BatchNormBackwardTraining)->Apply(cases);
BENCHMARK(BM_BatchNormForwardBackward)->Apply(cases);

}  // namespace
