// Copies blocks of strided matrices into the micro-panel layouts the kernels
// stream through, zero-padding the last panel to a whole tile.
#pragma once

#include <cstdint>

namespace kernas::gemm {

// An m x k block, element (i, p) at src[i * rs + p * cs], into ceil(m / kMR)
// panels; panel q holds rows q*kMR.. as dst[q * kMR * k + p * kMR + r].
void pack_a(int64_t m, int64_t k, const float* src, int64_t rs, int64_t cs, float* dst);

// pack_a with AVX2 for the full panels of a row-major A; the same result.
void pack_a_avx2_fma(int64_t m, int64_t k, const float* src, int64_t rs, int64_t cs, float* dst);

using PackA = void (*)(int64_t m, int64_t k, const float* src, int64_t rs, int64_t cs, float* dst);

// A k x n block, element (p, j) at src[p * rs + j * cs], into ceil(n / kNR)
// panels; panel q holds columns q*kNR.. as dst[q * kNR * k + p * kNR + j].
void pack_b(int64_t k, int64_t n, const float* src, int64_t rs, int64_t cs, float* dst);

// pack_b with AVX2 for the full panels of a transposed B (rs == 1); the same result.
void pack_b_avx2_fma(int64_t k, int64_t n, const float* src, int64_t rs, int64_t cs, float* dst);

using PackB = void (*)(int64_t k, int64_t n, const float* src, int64_t rs, int64_t cs, float* dst);

}  // namespace kernas::gemm
