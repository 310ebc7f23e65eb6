// The loops of one activation kernel set: activations_kernels.inc compiled
// once per instruction set (activations_reference.cpp, activations_avx2.cpp).
// activations.cpp splits the work over threads and picks the set per call.
#pragma once

#include <cstdint>

#include "kernas/ops/activations.h"

namespace kernas::activation_kernels {

struct KernelSet {
  // y = f(x) on `count` contiguous elements (an elementwise kind); y may be x.
  void (*forward)(const ActivationSpec& spec, int64_t count, const float* x, float* y);
  // dx = dy * f'(.) on `count` elements (an elementwise kind); dx may be dy.
  void (*backward)(const ActivationSpec& spec, int64_t count, const float* x, const float* y, const float* dy,
                   float* dx);
  // Softmax (or log-softmax with `log`) of `rows` rows of `cols` elements; y may be x.
  void (*softmax_forward)(bool log, int64_t rows, int64_t cols, const float* x, float* y);
  // Its gradient from the forward output y; dx may be dy.
  void (*softmax_backward)(bool log, int64_t rows, int64_t cols, const float* y, const float* dy, float* dx);
};

extern const KernelSet kReferenceKernels;  // any x86-64 CPU
extern const KernelSet kAvx2Kernels;       // the same source built with -mavx2 -mfma

}  // namespace kernas::activation_kernels
