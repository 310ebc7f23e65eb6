// Google Benchmark cases for the Conv2D kernels at the shapes (batch
// 128, 3x3 'valid'): forward with bias and relu, the input gradient alone,
// the weight and bias gradients alone, and the whole backward pass (from dz,
// and from dy at relu's output with the relu gradient applied inside).
//
//   cmake -S . -B build-bench -DKERNAS_BUILD_BENCH=ON -DKERNAS_BUILD_PYTHON=OFF
//   cmake --build build-bench && build-bench/conv_bench
// Set OMP_NUM_THREADS for the thread count.
#include <benchmark/benchmark.h>

#include <vector>

#include "bench_support.h"
#include "kernas/ops/conv2d.h"
#include "kernas/parallel.h"

namespace {

// Arguments: batch, size (height = width), in channels, filters; 3x3 'valid', stride 1.
struct Problem {
  kernas::Conv2DGeometry g;
  std::vector<float> x, kernel, bias, dz;
  explicit Problem(const benchmark::State& state)
      : g(kernas::conv2d_geometry(state.range(0), state.range(1), state.range(1), state.range(2), 3, 3,
                                  state.range(3), 1, 1, 1, 1, kernas::Conv2DPadding::Valid)),
        x(kernas::bench::random_normal(g.batch * g.in_h * g.in_w * g.in_c, 1)),
        kernel(kernas::bench::random_normal(g.depth() * g.out_c, 2)),
        bias(kernas::bench::random_normal(g.out_c, 3)),
        dz(kernas::bench::random_normal(g.pixels() * g.out_c, 4)) {}
  size_t input_size() const { return x.size(); }
  size_t output_size() const { return dz.size(); }
};

void report(benchmark::State& state, const Problem& p, int gemms) {
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * gemms * p.g.pixels() * p.g.depth() * p.g.out_c,
                                                 benchmark::Counter::kIsIterationInvariantRate,
                                                 benchmark::Counter::kIs1000);
  state.counters["threads"] = kernas::num_threads();
}

void BM_Conv2DForwardRelu(benchmark::State& state) {
  const Problem p(state);
  std::vector<float> y(p.output_size());
  const kernas::ActivationSpec relu{kernas::ActivationKind::Relu};
  for (auto _ : state) {
    kernas::conv2d_forward(p.g, p.x.data(), p.kernel.data(), p.bias.data(), relu, y.data());
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  report(state, p, 1);
}

void BM_Conv2DBackwardInput(benchmark::State& state) {
  const Problem p(state);
  std::vector<float> dx(p.input_size());
  for (auto _ : state) {
    kernas::conv2d_backward(p.g, p.x.data(), p.kernel.data(), p.dz.data(), dx.data(), nullptr, nullptr);
    benchmark::DoNotOptimize(dx.data());
    benchmark::ClobberMemory();
  }
  report(state, p, 1);
}

void BM_Conv2DBackwardWeights(benchmark::State& state) {
  const Problem p(state);
  std::vector<float> dkernel(p.kernel.size()), dbias(p.bias.size());
  for (auto _ : state) {
    kernas::conv2d_backward(p.g, p.x.data(), p.kernel.data(), p.dz.data(), nullptr, dkernel.data(), dbias.data());
    benchmark::DoNotOptimize(dkernel.data());
    benchmark::ClobberMemory();
  }
  report(state, p, 1);
}

void BM_Conv2DBackward(benchmark::State& state) {
  const Problem p(state);
  std::vector<float> dx(p.input_size()), dkernel(p.kernel.size()), dbias(p.bias.size());
  for (auto _ : state) {
    kernas::conv2d_backward(p.g, p.x.data(), p.kernel.data(), p.dz.data(), dx.data(), dkernel.data(), dbias.data());
    benchmark::DoNotOptimize(dx.data());
    benchmark::ClobberMemory();
  }
  report(state, p, 2);
}

// The whole backward pass from the gradient at relu's output: the relu mask
// applied tile by tile inside the kernel (dz here stands for dL/dy).
void BM_Conv2DBackwardRelu(benchmark::State& state) {
  const Problem p(state);
  std::vector<float> y(p.output_size()), dx(p.input_size()), dkernel(p.kernel.size()), dbias(p.bias.size());
  const kernas::ActivationSpec relu{kernas::ActivationKind::Relu};
  kernas::conv2d_forward(p.g, p.x.data(), p.kernel.data(), p.bias.data(), relu, y.data());
  for (auto _ : state) {
    kernas::conv2d_backward(p.g, p.x.data(), p.kernel.data(), y.data(), p.dz.data(), relu, dx.data(), dkernel.data(),
                            dbias.data());
    benchmark::DoNotOptimize(dx.data());
    benchmark::ClobberMemory();
  }
  report(state, p, 2);
}

#define CONV_SHAPES(bm) \
  BENCHMARK(bm)->ArgNames({"batch", "hw", "c", "f"})->Args({128, 28, 1, 32})->Args({128, 13, 32, 64}) \
      ->Unit(benchmark::kMillisecond)->UseRealTime()

CONV_SHAPES(BM_Conv2DForwardRelu);
CONV_SHAPES(BM_Conv2DBackwardInput);
CONV_SHAPES(BM_Conv2DBackwardWeights);
CONV_SHAPES(BM_Conv2DBackward);
CONV_SHAPES(BM_Conv2DBackwardRelu);

}  // namespace

