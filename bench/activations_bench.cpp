// Google Benchmark cases for the activations, forward and backward, through
// the public kernas::activation_forward / activation_backward:
//   - every kind on the conv-sized tensor (128 x 26 x 26 x 32, softmax
//     over the 32 channels), where memory bandwidth is the limit;
//   - every kind on 4096 elements that stay in L1, where the arithmetic is.
//
//   cmake -S . -B build-bench -DKERNAS_BUILD_BENCH=ON -DKERNAS_BUILD_PYTHON=OFF
//   cmake --build build-bench && build-bench/activations_bench
// Set OMP_NUM_THREADS for the thread count, KERNAS_ARCH=reference for the
// portable kernels.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "bench_support.h"
#include "kernas/ops/activations.h"

namespace {

using kernas::ActivationKind;

struct Named {
  const char* name;
  ActivationKind kind;
};

const Named kKinds[] = {
    {"linear", ActivationKind::Linear},       {"relu", ActivationKind::Relu},
    {"leaky_relu", ActivationKind::LeakyRelu}, {"elu", ActivationKind::Elu},
    {"selu", ActivationKind::Selu},           {"sigmoid", ActivationKind::Sigmoid},
    {"tanh", ActivationKind::Tanh},           {"softmax", ActivationKind::Softmax},
    {"log_softmax", ActivationKind::LogSoftmax}, {"softplus", ActivationKind::Softplus},
    {"softsign", ActivationKind::Softsign},   {"silu", ActivationKind::Silu},
    {"gelu", ActivationKind::Gelu},           {"gelu_tanh", ActivationKind::GeluTanh},
    {"hard_sigmoid", ActivationKind::HardSigmoid}, {"exponential", ActivationKind::Exponential},
};

constexpr int64_t kConvRows = 128 * 26 * 26;
constexpr int64_t kChannels = 32;

kernas::ActivationSpec spec_of(ActivationKind kind) {
  kernas::ActivationSpec spec;
  spec.kind = kind;
  if (kind == ActivationKind::LeakyRelu) spec.negative_slope = 0.2f;
  return spec;
}

// Bytes moved per call: x read and y written forward; dy and the saved x or y
// read and dx written backward (linear's backward reads only dy).
int64_t arrays_touched(ActivationKind kind, bool backward) {
  if (!backward) return 2;
  return kind == ActivationKind::Linear ? 2 : 3;
}

void run(benchmark::State& state, ActivationKind kind, bool backward, int64_t rows, int64_t cols) {
  const kernas::ActivationSpec spec = spec_of(kind);
  const int64_t count = rows * cols;
  const auto x = kernas::bench::random_normal(count, 1, 3.0f), dy = kernas::bench::random_normal(count, 2, 1.0f);
  std::vector<float> y(static_cast<size_t>(count)), dx(static_cast<size_t>(count));
  kernas::activation_forward(spec, rows, cols, x.data(), y.data());
  for (auto _ : state) {
    if (backward)
      kernas::activation_backward(spec, rows, cols, x.data(), y.data(), dy.data(), dx.data());
    else
      kernas::activation_forward(spec, rows, cols, x.data(), y.data());
    benchmark::ClobberMemory();
  }
  const int64_t bytes = arrays_touched(kind, backward) * count * static_cast<int64_t>(sizeof(float));
  state.SetBytesProcessed(state.iterations() * bytes);
  state.SetItemsProcessed(state.iterations() * count);
}

// Registered before main() runs, as BENCHMARK() cases are.
bool register_all() {
  for (const Named& named : kKinds) {
    for (const bool backward : {false, true}) {
      const std::string direction = backward ? "/backward" : "/forward";
      const ActivationKind kind = named.kind;
      benchmark::RegisterBenchmark(("BM_Conv/" + std::string(named.name) + direction).c_str(),
                                   [=](benchmark::State& state) { run(state, kind, backward, kConvRows, kChannels); })
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
      benchmark::RegisterBenchmark(("BM_L1/" + std::string(named.name) + direction).c_str(),
                                   [=](benchmark::State& state) { run(state, kind, backward, 128, kChannels); })
          ->Unit(benchmark::kMicrosecond);
    }
  }
  return true;
}

const bool kRegistered = register_all();

}  // namespace

