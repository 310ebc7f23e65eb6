// Google Benchmark cases for the optimizer updates: one step of each optimizer
// over the parameter lists of the three models (MNIST MLP 784-128-10,
// 101,770 parameters; a 1.2M-parameter convnet; a 25M-parameter model of six
// large tensors), plus Adam with each clipping kind (the norms cost a pass).
//
//   cmake --build build-bench && OMP_NUM_THREADS=1 build-bench/optimizers_bench
// Set OMP_NUM_THREADS for the thread count.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "bench_support.h"
#include "kernas/ops/optimizers.h"
#include "kernas/parallel.h"

namespace {

const std::vector<std::vector<int64_t>> kModels = {
    {784 * 128, 128, 128 * 10, 10},
    {3 * 3 * 3 * 32, 32, 3 * 3 * 32 * 64, 64, 3 * 3 * 64 * 128, 128, 4608 * 240, 240, 240 * 10, 10},
    {4096 * 4096, 4096, 4096 * 1024, 1024, 1024 * 4000, 4000},
};

// Weights, gradients and three slots for every tensor of a model; weights
// and gradients uniform in [-1, 1), slots zero.
class Model {
 public:
  explicit Model(int index) {
    std::minstd_rand engine(1);
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    for (int64_t size : kModels[index]) {
      for (int k = 0; k < 5; ++k) buffers_.emplace_back(size, 0.0f);
      for (int k = 0; k < 2; ++k)
        for (float& x : buffers_[buffers_.size() - 5 + k]) x = uniform(engine);
    }
    for (size_t t = 0; t < kModels[index].size(); ++t) {
      kernas::OptimizerTensor tensor;
      tensor.size = kModels[index][t];
      tensor.weights = buffers_[5 * t].data();
      tensor.gradient = buffers_[5 * t + 1].data();
      for (int k = 0; k < 3; ++k) tensor.slots[k] = buffers_[5 * t + 2 + k].data();
      tensors_.push_back(tensor);
      parameters_ += tensor.size;
    }
  }
  const kernas::OptimizerTensor* tensors() const { return tensors_.data(); }
  int64_t count() const { return static_cast<int64_t>(tensors_.size()); }
  int64_t parameters() const { return parameters_; }

 private:
  std::vector<std::vector<float>> buffers_;
  std::vector<kernas::OptimizerTensor> tensors_;
  int64_t parameters_ = 0;
};

// Bytes each update moves per parameter: arrays read plus arrays written.
template <class Update>
void run(benchmark::State& state, int64_t bytes_per_parameter, const Update& update) {
  Model model(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    update(model);
    benchmark::ClobberMemory();
  }
  state.counters["params"] = static_cast<double>(model.parameters());
  state.counters["GB/s"] =
      benchmark::Counter(static_cast<double>(bytes_per_parameter * model.parameters()),
                         benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
  state.counters["threads"] = kernas::num_threads();
}

void BM_Adam(benchmark::State& state) {
  kernas::AdamOptions options;
  run(state, 7 * 4, [&](const Model& m) {
    kernas::adam_update(options, m.tensors(), m.count());
    ++options.step;
  });
}

void BM_AdamAmsgrad(benchmark::State& state) {
  kernas::AdamOptions options;
  options.amsgrad = true;
  run(state, 9 * 4, [&](const Model& m) { kernas::adam_update(options, m.tensors(), m.count()); });
}

// Adam with weight decay and each clipping kind: 1 value, 2 per-tensor norm, 3 global norm.
void BM_AdamClipped(benchmark::State& state) {
  kernas::AdamOptions options;
  options.weight_decay = 0.004;
  options.clipping = {static_cast<kernas::ClipKind>(state.range(1)), 1.0};
  run(state, 7 * 4, [&](const Model& m) { kernas::adam_update(options, m.tensors(), m.count()); });
}

void BM_SgdMomentum(benchmark::State& state) {
  kernas::SgdOptions options;
  options.momentum = 0.9;
  options.nesterov = state.range(1) != 0;
  run(state, 5 * 4, [&](const Model& m) { kernas::sgd_update(options, m.tensors(), m.count()); });
}

void BM_Rmsprop(benchmark::State& state) {
  kernas::RmspropOptions options;
  options.momentum = state.range(1) != 0 ? 0.9 : 0.0;
  options.centered = state.range(1) != 0;
  run(state, (state.range(1) != 0 ? 9 : 5) * 4,
      [&](const Model& m) { kernas::rmsprop_update(options, m.tensors(), m.count()); });
}

void BM_Adagrad(benchmark::State& state) {
  kernas::AdagradOptions options;
  run(state, 5 * 4, [&](const Model& m) { kernas::adagrad_update(options, m.tensors(), m.count()); });
}

BENCHMARK(BM_Adam)->ArgName("model")->DenseRange(0, 2)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_AdamAmsgrad)->ArgName("model")->DenseRange(0, 2)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_AdamClipped)
    ->ArgNames({"model", "clip"})
    ->ArgsProduct({{0, 1, 2}, {1, 2, 3}})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK(BM_SgdMomentum)
    ->ArgNames({"model", "nesterov"})
    ->ArgsProduct({{0, 1, 2}, {0, 1}})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK(BM_Rmsprop)
    ->ArgNames({"model", "centered_momentum"})
    ->ArgsProduct({{0, 1, 2}, {0, 1}})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK(BM_Adagrad)->ArgName("model")->DenseRange(0, 2)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace

