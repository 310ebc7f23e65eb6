#include "kernas/ops/optimizers.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernas/cpu_features.h"
#include "kernas/parallel.h"

namespace kernas {
namespace {

using namespace optimizer_kernels;

// Elements per thread below which a second thread costs more than it saves.
constexpr int64_t kElementsPerThread = 1 << 14;
// Cuts between threads fall on multiples of 16 elements (64 bytes) of the
// concatenation: in a tensor that starts on a cache line, no line is shared.
constexpr int64_t kAlign = 16;

const Table& kernels() { return active_arch() == Arch::Avx2Fma ? avx2_fma() : reference(); }

std::vector<ClipFactors> clip_factors(const GradientClipping& clipping, const OptimizerTensor* tensors, int64_t count,
                                      const Table& table) {
  std::vector<GradientView> gradients(static_cast<size_t>(count));
  for (int64_t t = 0; t < count; ++t) gradients[t] = {tensors[t].gradient, tensors[t].size};
  std::vector<ClipFactors> factors(static_cast<size_t>(count));
  gradient_clip_factors(clipping, gradients.data(), count, table.sum_squares, factors.data());
  return factors;
}

// Keras casts the learning rate and weight decay to the variable's float32.
DecayFactors decay_factors(const OptimizerOptions& options, const OptimizerTensor& tensor) {
  return {tensor.decay, static_cast<float>(options.weight_decay), static_cast<float>(options.learning_rate)};
}

// Calls kernel(tensor index, segment) on pieces of the tensors such that the
// threads share the concatenation of all tensors' elements evenly: a big
// tensor is split, small ones are grouped.
template <class Kernel>
void for_each_segment(const OptimizerTensor* tensors, int64_t count, const Kernel& kernel) {
  std::vector<int64_t> start(static_cast<size_t>(count) + 1, 0);
  for (int64_t t = 0; t < count; ++t) start[t + 1] = start[t] + tensors[t].size;
  parallel_for(
      start[count], kElementsPerThread,
      [&](int64_t begin, int64_t end) {
        int64_t t = std::upper_bound(start.begin(), start.end(), begin) - start.begin() - 1;
        for (; begin < end; ++t) {
          const int64_t stop = std::min(end, start[t + 1]);
          if (stop > begin) {
            const OptimizerTensor& tensor = tensors[t];
            const int64_t offset = begin - start[t];
            Segment segment{stop - begin, tensor.weights + offset, tensor.gradient + offset, {}};
            for (int k = 0; k < 3; ++k) segment.slots[k] = tensor.slots[k] ? tensor.slots[k] + offset : nullptr;
            kernel(t, segment);
          }
          begin = stop;
        }
      },
      kAlign);
}

}  // namespace

void sgd_update(const SgdOptions& options, const OptimizerTensor* tensors, int64_t count) {
  const Table& table = kernels();
  const std::vector<ClipFactors> clip = clip_factors(options.clipping, tensors, count, table);
  const SgdFactors factors{static_cast<float>(options.learning_rate), static_cast<float>(options.momentum),
                           options.momentum != 0.0, options.nesterov};
  for_each_segment(tensors, count, [&](int64_t t, const Segment& segment) {
    table.sgd(factors, decay_factors(options, tensors[t]), clip[t], segment);
  });
}

void adam_update(const AdamOptions& options, const OptimizerTensor* tensors, int64_t count) {
  const Table& table = kernels();
  const std::vector<ClipFactors> clip = clip_factors(options.clipping, tensors, count, table);
  // Keras, all in float32: local_step = cast(iterations + 1); beta powers by
  // ops.power; alpha = lr * sqrt(1 - beta_2_power) / (1 - beta_1_power). The
  // (1 - beta) factors are Python doubles that meet float32 tensors.
  const float learning_rate = static_cast<float>(options.learning_rate);
  const float local_step = static_cast<float>(options.step);
  const float beta_1_power = std::pow(static_cast<float>(options.beta_1), local_step);
  const float beta_2_power = std::pow(static_cast<float>(options.beta_2), local_step);
  const AdamFactors factors{learning_rate * std::sqrt(1.0f - beta_2_power) / (1.0f - beta_1_power),
                            static_cast<float>(1.0 - options.beta_1), static_cast<float>(1.0 - options.beta_2),
                            static_cast<float>(options.epsilon), options.amsgrad};
  for_each_segment(tensors, count, [&](int64_t t, const Segment& segment) {
    table.adam(factors, decay_factors(options, tensors[t]), clip[t], segment);
  });
}

void rmsprop_update(const RmspropOptions& options, const OptimizerTensor* tensors, int64_t count) {
  const Table& table = kernels();
  const std::vector<ClipFactors> clip = clip_factors(options.clipping, tensors, count, table);
  const RmspropFactors factors{static_cast<float>(options.learning_rate),
                               static_cast<float>(options.rho),
                               static_cast<float>(1.0 - options.rho),
                               static_cast<float>(options.momentum),
                               static_cast<float>(options.epsilon),
                               options.momentum > 0.0,
                               options.centered};
  for_each_segment(tensors, count, [&](int64_t t, const Segment& segment) {
    table.rmsprop(factors, decay_factors(options, tensors[t]), clip[t], segment);
  });
}

void adagrad_update(const AdagradOptions& options, const OptimizerTensor* tensors, int64_t count) {
  const Table& table = kernels();
  const std::vector<ClipFactors> clip = clip_factors(options.clipping, tensors, count, table);
  const AdagradFactors factors{static_cast<float>(options.learning_rate), static_cast<float>(options.epsilon)};
  for_each_segment(tensors, count, [&](int64_t t, const Segment& segment) {
    table.adagrad(factors, decay_factors(options, tensors[t]), clip[t], segment);
  });
}

}  // namespace kernas
