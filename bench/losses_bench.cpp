// Google Benchmark cases for the loss kernels, forward + gradient in one call
// (the training step) and forward only (evaluation), at an MNIST classifier's
// output (batch 128 or 32, 10 classes), a single regression / binary output,
// and a wide softmax (256 x 1000) where threads may join.
//
//   cmake -S . -B build-bench -DKERNAS_BUILD_BENCH=ON -DKERNAS_BUILD_PYTHON=OFF
//   cmake --build build-bench && build-bench/losses_bench
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "bench_support.h"
#include "kernas/ops/losses.h"
#include "kernas/parallel.h"

namespace {

using kernas::LossKind;

// Targets and predictions each loss expects: one-hot / binary targets,
// probabilities in (0, 1) for the probability losses, normal values otherwise.
struct LossData {
  std::vector<float> y_true, y_pred;
  std::vector<int64_t> labels;
};

LossData make_data(LossKind kind, int64_t rows, int64_t cols) {
  std::mt19937 engine(7);
  std::normal_distribution<float> normal;
  std::uniform_real_distribution<float> uniform(0.05f, 0.95f);
  std::uniform_int_distribution<int64_t> label(0, cols - 1);
  LossData data{std::vector<float>(rows * cols), std::vector<float>(rows * cols), std::vector<int64_t>(rows)};
  const bool probabilities = kind == LossKind::BinaryCrossentropy || kind == LossKind::CategoricalCrossentropy;
  const bool binary = kind == LossKind::BinaryCrossentropy || kind == LossKind::BinaryCrossentropyFromLogits;
  const bool categorical =
      kind == LossKind::CategoricalCrossentropy || kind == LossKind::CategoricalCrossentropyFromLogits;
  for (int64_t i = 0; i < rows; ++i) {
    data.labels[i] = label(engine);
    for (int64_t j = 0; j < cols; ++j) {
      const int64_t k = i * cols + j;
      data.y_pred[k] = probabilities ? uniform(engine) : normal(engine);
      data.y_true[k] = categorical ? (j == data.labels[i] ? 1.0f : 0.0f)
                                   : (binary ? static_cast<float>(engine() & 1) : normal(engine));
    }
  }
  return data;
}

void set_counters(benchmark::State& state, int64_t rows, int64_t cols) {
  state.counters["elements/s"] =
      benchmark::Counter(static_cast<double>(rows * cols), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["threads"] = kernas::num_threads();
}

// Arguments: loss kind, rows, cols, gradient (0: forward only).
void BM_Loss(benchmark::State& state) {
  const auto kind = static_cast<LossKind>(state.range(0));
  const int64_t rows = state.range(1), cols = state.range(2);
  const bool gradient = state.range(3) != 0;
  const LossData data = make_data(kind, rows, cols);
  std::vector<float> grad(rows * cols);
  const kernas::LossSpec spec{kind, 1.0, 0.0};
  for (auto _ : state) {
    float loss = kernas::loss(spec, rows, cols, data.y_true.data(), data.y_pred.data(), nullptr,
                              static_cast<double>(rows), nullptr, gradient ? grad.data() : nullptr);
    benchmark::DoNotOptimize(loss);
    benchmark::ClobberMemory();
  }
  set_counters(state, rows, cols);
}

void loss_cases(benchmark::internal::Benchmark* bench) {
  bench->ArgNames({"kind", "rows", "cols", "grad"});
  for (LossKind kind : {LossKind::MeanSquaredError, LossKind::MeanAbsoluteError, LossKind::Huber,
                        LossKind::BinaryCrossentropy, LossKind::BinaryCrossentropyFromLogits})
    for (int grad : {1, 0}) bench->Args({static_cast<int64_t>(kind), 128, 1, grad});
  for (LossKind kind : {LossKind::MeanSquaredError, LossKind::BinaryCrossentropy,
                        LossKind::CategoricalCrossentropy, LossKind::CategoricalCrossentropyFromLogits})
    for (int grad : {1, 0}) bench->Args({static_cast<int64_t>(kind), 128, 10, grad});
  bench->Args({static_cast<int64_t>(LossKind::CategoricalCrossentropy), 256, 1000, 1});
  bench->Args({static_cast<int64_t>(LossKind::CategoricalCrossentropyFromLogits), 256, 1000, 1});
}

BENCHMARK(BM_Loss)->Apply(loss_cases)->Unit(benchmark::kMicrosecond)->UseRealTime();

// Arguments: rows, classes, from_logits.
void BM_SparseCategoricalCrossentropy(benchmark::State& state) {
  const int64_t rows = state.range(0), cols = state.range(1);
  const bool from_logits = state.range(2) != 0;
  const LossKind kind = from_logits ? LossKind::CategoricalCrossentropyFromLogits : LossKind::CategoricalCrossentropy;
  const LossData data = make_data(kind, rows, cols);
  std::vector<float> grad(rows * cols);
  for (auto _ : state) {
    float loss = kernas::sparse_categorical_crossentropy(rows, cols, data.labels.data(), data.y_pred.data(),
                                                         from_logits, nullptr, static_cast<double>(rows), nullptr,
                                                         grad.data());
    benchmark::DoNotOptimize(loss);
    benchmark::ClobberMemory();
  }
  set_counters(state, rows, cols);
}

BENCHMARK(BM_SparseCategoricalCrossentropy)
    ->ArgNames({"rows", "classes", "logits"})
    ->Args({32, 10, 0})
    ->Args({128, 10, 0})
    ->Args({128, 10, 1})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// The output layer's fused softmax + crossentropy, with the probabilities
// written out for metrics. Arguments: rows, classes, sparse labels.
void BM_SoftmaxCrossentropy(benchmark::State& state) {
  const int64_t rows = state.range(0), cols = state.range(1);
  const bool sparse = state.range(2) != 0;
  const LossData data = make_data(LossKind::CategoricalCrossentropyFromLogits, rows, cols);
  std::vector<float> grad(rows * cols), probabilities(rows * cols);
  for (auto _ : state) {
    const auto result = kernas::softmax_crossentropy(
        rows, cols, data.y_pred.data(), sparse ? nullptr : data.y_true.data(), sparse ? data.labels.data() : nullptr,
        0.0, nullptr, static_cast<double>(rows), nullptr, probabilities.data(), grad.data());
    benchmark::DoNotOptimize(result);
    benchmark::ClobberMemory();
  }
  set_counters(state, rows, cols);
}

BENCHMARK(BM_SoftmaxCrossentropy)
    ->ArgNames({"rows", "classes", "sparse"})
    ->Args({32, 10, 1})
    ->Args({128, 10, 1})
    ->Args({128, 10, 0})
    ->Args({256, 1000, 1})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

}  // namespace

