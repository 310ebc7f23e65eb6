// Single-precision GEMM for the other kernels: C = alpha * op(A) * op(B) + beta * C.
#pragma once

#include <cstdint>

namespace kernas {

struct ActivationSpec;

// Work on each block of C (at most mc x nc) right after its last product is
// summed in, while the block is still in cache: y = f(c + bias). Spares the
// layer two passes over C.
struct GemmEpilogue {
  const float* bias = nullptr;                  // n floats, bias[j] added to column j; null for none
  const ActivationSpec* activation = nullptr;  // an elementwise kind, applied after the bias; null for none
};

// All matrices are row-major. op(A) is m x k, op(B) is k x n, C is m x n.
// With transpose_a, A is stored k x m (lda >= m), else m x k (lda >= k);
// likewise B. When beta is 0, C is only written, never read, so it may hold
// NaN or garbage. Every element of C is computed by one thread with one fixed
// sequence of operations, so results do not depend on the thread count.
void sgemm(bool transpose_a, bool transpose_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
           const float* b, int64_t ldb, float beta, float* c, int64_t ldc, const GemmEpilogue& epilogue = {});

}  // namespace kernas
