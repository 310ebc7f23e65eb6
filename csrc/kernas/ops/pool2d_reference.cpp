// The pooling loops for any x86-64 CPU (SSE2, four channels per vector):
// always built, the kernel set the AVX2 one is tested against.
#include <emmintrin.h>

#include "kernas/ops/pool2d.h"

namespace kernas::pool2d_kernels {
namespace {

constexpr int kLanes = 4;
typedef float FloatLanes __attribute__((vector_size(16)));
typedef int32_t IntLanes __attribute__((vector_size(16)));

inline FloatLanes lanes_max(FloatLanes a, FloatLanes b) { return _mm_max_ps(a, b); }

#include "kernas/ops/pool2d_kernels.inc"

}  // namespace

const Table& reference() { return kTable; }

}  // namespace kernas::pool2d_kernels
