// The register-tile kernels: one MR x NR block of C per call.
#pragma once

#include <cstdint>

namespace kernas::gemm {

// Every kernel set uses the same tile so that packed panels are interchangeable.
constexpr int kMR = 6;
constexpr int kNR = 16;

// Computes, for the m x n corner (m <= kMR, n <= kNR) of a tile,
//   C = alpha * sum_p A(:, p) B(p, :) + beta * C     (C not read when beta == 0)
// where A(r, p) = a[r * rs_a + p * cs_a] and B(p, j) = b[p * rs_b + j]. Packed
// panels are just the strides (1, kMR) and (kNR); unpacked row-major operands
// are read in place. Rows r >= m and columns j >= n are never read or written,
// except that b_padded says every row of B holds kNR readable floats (a packed,
// zero-padded panel), which lets a narrow tile load whole rows.
// Each element of C is one chain of multiply-adds in p order followed by the
// same epilogue, whatever m and n are, so tile edges do not change the bits of
// the result.
using MicroKernel = void (*)(int64_t kc, int m, int n, float alpha, const float* a, int64_t rs_a, int64_t cs_a,
                             const float* b, int64_t rs_b, bool b_padded, float beta, float* c, int64_t ldc);

void microkernel_reference(int64_t kc, int m, int n, float alpha, const float* a, int64_t rs_a, int64_t cs_a,
                           const float* b, int64_t rs_b, bool b_padded, float beta, float* c, int64_t ldc);

void microkernel_avx2_fma(int64_t kc, int m, int n, float alpha, const float* a, int64_t rs_a, int64_t cs_a,
                          const float* b, int64_t rs_b, bool b_padded, float beta, float* c, int64_t ldc);

}  // namespace kernas::gemm
