// Dropout with a counter-based generator: the mask is never stored. Element i
// is kept when the Philox4x32-10 output for (seed, step, i) is at least
// rate * 2^32, so forward and backward regenerate the same mask from the same
// (seed, step), and neither the thread count nor the kernel set changes it.
#pragma once

#include <cstdint>

namespace kernas {

// Which Philox block and output word decide element i: each group of 32
// consecutive elements takes 8 consecutive blocks (counter = block index in
// words 0-1, step in words 2-3; key = seed, low word first), element
// 32 g + 8 w + l taking word w of block 8 g + l. (This order lets a vector of
// 8 blocks feed 8 consecutive elements.)
constexpr int64_t kDropoutGroup = 32;

// y[i] = x[i] * (1 / (1 - rate)) where element i is kept, else 0 (also for an
// infinite or NaN x, like Keras's where(mask, x / keep_prob, 0)). rate in
// [0, 1); rate 0 copies x. y may be x (in place).
void dropout_forward(int64_t count, const float* x, double rate, uint64_t seed, uint64_t step, float* y);

// dx = dy with the forward mask and scale of the same (rate, seed, step):
// the gradient of dropout_forward. dx may be dy.
void dropout_backward(int64_t count, const float* dy, double rate, uint64_t seed, uint64_t step, float* dx);

// The kernels behind both, one per kernel set: elements [begin, end) of the
// whole array, single-threaded. keep: element kept when its 32 random bits
// are >= threshold.
using DropoutKernel = void (*)(int64_t begin, int64_t end, const float* x, uint32_t threshold, float scale,
                               uint64_t seed, uint64_t step, float* y);
void dropout_kernel_reference(int64_t begin, int64_t end, const float* x, uint32_t threshold, float scale,
                              uint64_t seed, uint64_t step, float* y);
void dropout_kernel_avx2_fma(int64_t begin, int64_t end, const float* x, uint32_t threshold, float scale,
                             uint64_t seed, uint64_t step, float* y);

}  // namespace kernas
