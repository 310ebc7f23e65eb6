// The pooling loops compiled with AVX2: the same source as the reference set,
// eight channels per vector.
#include <immintrin.h>

#include "kernas/ops/pool2d.h"

namespace kernas::pool2d_kernels {
namespace {

constexpr int kLanes = 8;
typedef float FloatLanes __attribute__((vector_size(32)));
typedef int32_t IntLanes __attribute__((vector_size(32)));

inline FloatLanes lanes_max(FloatLanes a, FloatLanes b) { return _mm256_max_ps(a, b); }

#include "kernas/ops/pool2d_kernels.inc"

}  // namespace

const Table& avx2_fma() { return kTable; }

}  // namespace kernas::pool2d_kernels
