// AVX2 + FMA micro-kernel: a 6 x 16 tile held in 12 ymm accumulators.
//
// This file alone is compiled with -mavx2 -mfma. It must not instantiate any
// inline or template code that other files also use (std::min and friends):
// the linker could keep this file's AVX2 copy for everyone and crash older
// CPUs. Everything here is local to the file.
//
// The accumulators are twelve named variables, not an array: GCC keeps an
// array of __m256 in registers only sometimes, and when it does not the
// kernel runs at a third of its speed (measured with bench/gemm_bench).
#include <immintrin.h>

#include "kernas/gemm/microkernel.h"

namespace kernas::gemm {
namespace {

static_assert(kMR == 6 && kNR == 16, "this kernel computes 6 x 16 tiles");

// Lanes j < n (n may be <= 0 or >= 8) of one 8-float half of a tile row.
inline __m256i lanes_below(int n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// Rows past m re-read row m - 1 and their results are dropped, so the tile
// loop is the same for every m and never reads outside A.
template <bool FullWidth>
inline void tile(int64_t kc, int m, int n, float alpha, const float* a, int64_t rs_a, int64_t cs_a,
                 const float* b, int64_t rs_b, float beta, float* c, int64_t ldc) {
  const __m256i mask_lo = lanes_below(n);
  const __m256i mask_hi = lanes_below(n - 8);
  const float* a0 = a;
  const float* a1 = a + (m > 1 ? 1 : 0) * rs_a;
  const float* a2 = a + (m > 2 ? 2 : m - 1) * rs_a;
  const float* a3 = a + (m > 3 ? 3 : m - 1) * rs_a;
  const float* a4 = a + (m > 4 ? 4 : m - 1) * rs_a;
  const float* a5 = a + (m > 5 ? 5 : m - 1) * rs_a;

  // C is needed only after the loop; fetching it now hides the cache misses.
  for (int r = 0; r < m; ++r) {
    _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc + kNR - 1), _MM_HINT_T0);
  }

  __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  for (int64_t p = 0; p < kc; ++p) {
    const __m256 b0 = FullWidth ? _mm256_loadu_ps(b) : _mm256_maskload_ps(b, mask_lo);
    const __m256 b1 = FullWidth ? _mm256_loadu_ps(b + 8) : _mm256_maskload_ps(b + 8, mask_hi);
    const int64_t offset = p * cs_a;
    __m256 x = _mm256_broadcast_ss(a0 + offset);
    c00 = _mm256_fmadd_ps(x, b0, c00);
    c01 = _mm256_fmadd_ps(x, b1, c01);
    x = _mm256_broadcast_ss(a1 + offset);
    c10 = _mm256_fmadd_ps(x, b0, c10);
    c11 = _mm256_fmadd_ps(x, b1, c11);
    x = _mm256_broadcast_ss(a2 + offset);
    c20 = _mm256_fmadd_ps(x, b0, c20);
    c21 = _mm256_fmadd_ps(x, b1, c21);
    x = _mm256_broadcast_ss(a3 + offset);
    c30 = _mm256_fmadd_ps(x, b0, c30);
    c31 = _mm256_fmadd_ps(x, b1, c31);
    x = _mm256_broadcast_ss(a4 + offset);
    c40 = _mm256_fmadd_ps(x, b0, c40);
    c41 = _mm256_fmadd_ps(x, b1, c41);
    x = _mm256_broadcast_ss(a5 + offset);
    c50 = _mm256_fmadd_ps(x, b0, c50);
    c51 = _mm256_fmadd_ps(x, b1, c51);
    b += rs_b;
  }

  const __m256 rows[kMR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
  const __m256 alpha_v = _mm256_set1_ps(alpha);
  const __m256 beta_v = _mm256_set1_ps(beta);
  for (int r = 0; r < m; ++r) {
    float* c_row = c + r * ldc;
    __m256 lo = _mm256_mul_ps(alpha_v, rows[r][0]);
    __m256 hi = _mm256_mul_ps(alpha_v, rows[r][1]);
    if (beta != 0.0f) {
      lo = _mm256_fmadd_ps(beta_v, FullWidth ? _mm256_loadu_ps(c_row) : _mm256_maskload_ps(c_row, mask_lo), lo);
      hi = _mm256_fmadd_ps(beta_v, FullWidth ? _mm256_loadu_ps(c_row + 8) : _mm256_maskload_ps(c_row + 8, mask_hi), hi);
    }
    if (FullWidth) {
      _mm256_storeu_ps(c_row, lo);
      _mm256_storeu_ps(c_row + 8, hi);
    } else {
      _mm256_maskstore_ps(c_row, mask_lo, lo);
      _mm256_maskstore_ps(c_row + 8, mask_hi, hi);
    }
  }
}

}  // namespace

void microkernel_avx2_fma(int64_t kc, int m, int n, float alpha, const float* a, int64_t rs_a, int64_t cs_a,
                          const float* b, int64_t rs_b, float beta, float* c, int64_t ldc) {
  if (n == kNR)
    tile<true>(kc, m, n, alpha, a, rs_a, cs_a, b, rs_b, beta, c, ldc);
  else
    tile<false>(kc, m, n, alpha, a, rs_a, cs_a, b, rs_b, beta, c, ldc);
}

}  // namespace kernas::gemm
