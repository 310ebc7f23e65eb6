// Portable micro-kernel: always built, the oracle the SIMD kernels are tested against.
#include "kernas/gemm/microkernel.h"

namespace kernas::gemm {

void microkernel_reference(int64_t kc, int m, int n, float alpha, const float* a, int64_t rs_a, int64_t cs_a,
                           const float* b, int64_t rs_b, bool /*b_padded*/, float beta, float* c, int64_t ldc) {
  float acc[kMR][kNR] = {};
  for (int64_t p = 0; p < kc; ++p) {
    const float* b_row = b + p * rs_b;
    for (int r = 0; r < m; ++r) {
      const float a_rp = a[r * rs_a + p * cs_a];
      for (int j = 0; j < n; ++j) acc[r][j] += a_rp * b_row[j];
    }
  }
  for (int r = 0; r < m; ++r) {
    float* c_row = c + r * ldc;
    for (int j = 0; j < n; ++j)
      c_row[j] = beta == 0.0f ? alpha * acc[r][j] : alpha * acc[r][j] + beta * c_row[j];
  }
}

}  // namespace kernas::gemm
