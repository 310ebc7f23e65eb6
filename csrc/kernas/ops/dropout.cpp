#include "kernas/ops/dropout.h"

#include <algorithm>
#include <cmath>

#include "kernas/cpu_features.h"
#include "kernas/parallel.h"

namespace kernas {
namespace {

// Elements per thread below which a second thread costs more than it saves.
constexpr int64_t kElementsPerThread = 1 << 14;

// Kept when the 32 random bits u satisfy u / 2^32 >= rate, i.e. u >= ceil(rate 2^32)
// (rate 2^32 is exact in double). A rate within 2^-32 of 1 keeps u = 2^32 - 1 only.
uint32_t keep_threshold(double rate) {
  const double threshold = std::ceil(rate * 4294967296.0);
  return threshold >= 4294967295.0 ? 0xFFFFFFFFu : static_cast<uint32_t>(threshold);
}

void apply_mask(int64_t count, const float* x, double rate, uint64_t seed, uint64_t step, float* y) {
  if (rate == 0.0) {
    if (y != x) std::copy(x, x + count, y);
    return;
  }
  const DropoutKernel kernel = active_arch() == Arch::Avx2Fma ? dropout_kernel_avx2_fma : dropout_kernel_reference;
  const uint32_t threshold = keep_threshold(rate);
  const float scale = static_cast<float>(1.0 / (1.0 - rate));
  parallel_for(
      count, kElementsPerThread,
      [&](int64_t begin, int64_t end) { kernel(begin, end, x, threshold, scale, seed, step, y); }, kDropoutGroup);
}

}  // namespace

void dropout_forward(int64_t count, const float* x, double rate, uint64_t seed, uint64_t step, float* y) {
  apply_mask(count, x, rate, seed, step, y);
}

void dropout_backward(int64_t count, const float* dy, double rate, uint64_t seed, uint64_t step, float* dx) {
  apply_mask(count, dy, rate, seed, step, dx);
}

}  // namespace kernas
