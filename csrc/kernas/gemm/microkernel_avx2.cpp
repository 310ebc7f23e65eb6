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

inline __m256 load_half(const float* p, bool masked, __m256i mask) {
  return masked ? _mm256_maskload_ps(p, mask) : _mm256_loadu_ps(p);
}

// One depth step of tile row Row: its A element times the 16 B values. Rows
// past the live ones compile to nothing.
template <int Row, int Rows>
inline void accumulate_row(const float* a_p, int64_t rs_a, __m256 b0, __m256 b1, __m256& lo, __m256& hi) {
  if constexpr (Row < Rows) {
    const __m256 x = _mm256_broadcast_ss(a_p + Row * rs_a);
    lo = _mm256_fmadd_ps(x, b0, lo);
    hi = _mm256_fmadd_ps(x, b1, hi);
  }
}

// Rows is the number of live rows (m); rows past it cost nothing. A narrow
// tile masks its C accesses, and its B loads too unless B is a zero-padded
// packed panel, where whole rows are safe to read.
template <int Rows, bool MaskB, bool MaskC>
void tile(int64_t kc, int n, float alpha, const float* a, int64_t rs_a, int64_t cs_a, const float* b, int64_t rs_b,
          float beta, float* c, int64_t ldc) {
  const __m256i mask_lo = lanes_below(n);
  const __m256i mask_hi = lanes_below(n - 8);

  // C is needed only after the loop; fetching it now hides the cache misses.
  for (int r = 0; r < Rows; ++r) {
    _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc + kNR - 1), _MM_HINT_T0);
  }

  __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  for (int64_t p = 0; p < kc; ++p) {
    const __m256 b0 = load_half(b, MaskB, mask_lo);
    const __m256 b1 = load_half(b + 8, MaskB, mask_hi);
    const float* a_p = a + p * cs_a;
    accumulate_row<0, Rows>(a_p, rs_a, b0, b1, c00, c01);
    accumulate_row<1, Rows>(a_p, rs_a, b0, b1, c10, c11);
    accumulate_row<2, Rows>(a_p, rs_a, b0, b1, c20, c21);
    accumulate_row<3, Rows>(a_p, rs_a, b0, b1, c30, c31);
    accumulate_row<4, Rows>(a_p, rs_a, b0, b1, c40, c41);
    accumulate_row<5, Rows>(a_p, rs_a, b0, b1, c50, c51);
    b += rs_b;
  }

  const __m256 rows[kMR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
  const __m256 alpha_v = _mm256_set1_ps(alpha);
  const __m256 beta_v = _mm256_set1_ps(beta);
  for (int r = 0; r < Rows; ++r) {
    float* c_row = c + r * ldc;
    __m256 lo = _mm256_mul_ps(alpha_v, rows[r][0]);
    __m256 hi = _mm256_mul_ps(alpha_v, rows[r][1]);
    if (beta != 0.0f) {
      lo = _mm256_fmadd_ps(beta_v, load_half(c_row, MaskC, mask_lo), lo);
      hi = _mm256_fmadd_ps(beta_v, load_half(c_row + 8, MaskC, mask_hi), hi);
    }
    if (MaskC) {
      _mm256_maskstore_ps(c_row, mask_lo, lo);
      _mm256_maskstore_ps(c_row + 8, mask_hi, hi);
    } else {
      _mm256_storeu_ps(c_row, lo);
      _mm256_storeu_ps(c_row + 8, hi);
    }
  }
}

using TileFn = void (*)(int64_t, int, float, const float*, int64_t, int64_t, const float*, int64_t, float, float*,
                        int64_t);

template <int Rows>
constexpr TileFn tile_variants[3] = {tile<Rows, false, false>, tile<Rows, false, true>, tile<Rows, true, true>};

// [m - 1][full width / padded B / masked B]
constexpr const TileFn* tiles_by_rows[kMR] = {tile_variants<1>, tile_variants<2>, tile_variants<3>,
                                              tile_variants<4>, tile_variants<5>, tile_variants<6>};

}  // namespace

void microkernel_avx2_fma(int64_t kc, int m, int n, float alpha, const float* a, int64_t rs_a, int64_t cs_a,
                          const float* b, int64_t rs_b, bool b_padded, float beta, float* c, int64_t ldc) {
  const int width_case = n == kNR ? 0 : b_padded ? 1 : 2;
  tiles_by_rows[m - 1][width_case](kc, n, alpha, a, rs_a, cs_a, b, rs_b, beta, c, ldc);
}

}  // namespace kernas::gemm
