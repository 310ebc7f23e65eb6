// Google Benchmark cases for the Dense kernels at the shapes.
//
//   cmake -S . -B build-bench -DKERNAS_BUILD_BENCH=ON -DKERNAS_BUILD_PYTHON=OFF
//   cmake --build build-bench && build-bench/dense_bench
#include <benchmark/benchmark.h>

#include <vector>

#include "bench_support.h"
#include "kernas/ops/dense.h"

namespace {

// Arguments: batch, inputs, units.
void BM_DenseForwardRelu(benchmark::State& state) {
  const int64_t batch = state.range(0), in = state.range(1), out = state.range(2);
  const auto x = kernas::bench::random_normal(batch * in, 1), kernel = kernas::bench::random_normal(in * out, 2), bias = kernas::bench::random_normal(out, 3);
  std::vector<float> y(batch * out);
  const kernas::ActivationSpec relu{kernas::ActivationKind::Relu};
  for (auto _ : state) {
    kernas::dense_forward(batch, in, out, x.data(), kernel.data(), bias.data(), relu, y.data());
    benchmark::DoNotOptimize(y.data());
  }
}

void BM_DenseBackward(benchmark::State& state) {
  const int64_t batch = state.range(0), in = state.range(1), out = state.range(2);
  const auto x = kernas::bench::random_normal(batch * in, 1), kernel = kernas::bench::random_normal(in * out, 2), dz = kernas::bench::random_normal(batch * out, 3);
  std::vector<float> dx(batch * in), dkernel(in * out), dbias(out);
  for (auto _ : state) {
    kernas::dense_backward(batch, in, out, x.data(), kernel.data(), dz.data(), dx.data(), dkernel.data(), dbias.data());
    benchmark::DoNotOptimize(dkernel.data());
  }
}

BENCHMARK(BM_DenseForwardRelu)->Args({128, 1600, 10})->Args({32, 784, 128})->Args({128, 784, 128});
BENCHMARK(BM_DenseBackward)->Args({128, 1600, 10})->Args({32, 784, 128})->Args({128, 784, 128});

}  // namespace

