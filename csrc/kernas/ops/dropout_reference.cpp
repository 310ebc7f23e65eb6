// Portable dropout kernel: always built, the oracle of the AVX2 one.
#include <cstdint>

#include "kernas/ops/dropout.h"

namespace kernas {
namespace {
#include "kernas/ops/dropout_kernels.inc"
}  // namespace

void dropout_kernel_reference(int64_t begin, int64_t end, const float* x, uint32_t threshold, float scale,
                              uint64_t seed, uint64_t step, float* y) {
  dropout_range(begin, end, x, threshold, scale, seed, step, y, [&](int64_t lo, int64_t hi) {
    dropout_scalar(lo, hi, x, threshold, scale, seed, step, y);
  });
}

}  // namespace kernas
