// Portable softmax-row loops: always built, the oracle of the AVX2 ones.
#include <cmath>
#include <cstdint>
#include <cstring>

#include "kernas/ops/losses.h"

namespace kernas {
namespace {
#include "kernas/ops/losses_kernels.inc"

float max_reference(int64_t n, const float* x) {
  float lanes[kLanes];
  for (int k = 0; k < kLanes; ++k) lanes[k] = -INFINITY;
  int64_t j = 0;
  for (; j + kLanes <= n; j += kLanes)
    for (int k = 0; k < kLanes; ++k) lanes[k] = larger(x[j + k], lanes[k]);
  return fold_max(lanes, j, n, x);
}

double exp_shifted_reference(int64_t n, const float* x, float shift, float* e) {
  double lanes[kLanes] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
  int64_t j = 0;
  for (; j + kLanes <= n; j += kLanes)
    for (int k = 0; k < kLanes; ++k) {
      const float v = exp_nonpositive(x[j + k] - shift);
      if (e) e[j + k] = v;
      lanes[k] += v;
    }
  return fold_exp_sum(lanes, j, n, x, shift, e);
}

}  // namespace

const SoftmaxRowKernels kSoftmaxRowKernelsReference{max_reference, exp_shifted_reference, exp_nonpositive};

}  // namespace kernas
