// AVX2 packing where the panel's lanes run across the source's rows (a
// row-major A into 6-row micro-panels, a transposed B into 16-column ones):
// blocks transposed in registers, instead of one scalar load and store per
// element.
//
// Compiled with -mavx2 -mfma, like microkernel_avx2.cpp and under the same
// rule: no inline or template code shared with other files.
#include <immintrin.h>

#include "kernas/gemm/microkernel.h"
#include "kernas/gemm/pack.h"

namespace kernas::gemm {
namespace {

static_assert(kMR == 6, "the transpose below fills 6-row panels");
static_assert(kNR == 16, "a B panel is two 8-lane halves");

// Eight depth steps of one full panel: rows[r][0..8) -> dst[p * 6 + r].
inline void transpose_6x8(const float* const rows[kMR], int64_t p, float* dst) {
  const __m256 zero = _mm256_setzero_ps();
  const __m256 r0 = _mm256_loadu_ps(rows[0] + p), r1 = _mm256_loadu_ps(rows[1] + p);
  const __m256 r2 = _mm256_loadu_ps(rows[2] + p), r3 = _mm256_loadu_ps(rows[3] + p);
  const __m256 r4 = _mm256_loadu_ps(rows[4] + p), r5 = _mm256_loadu_ps(rows[5] + p);
  // Interleave pairs of rows, then gather 4 rows (0-3) and 2 rows (4-5) per depth step.
  const __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
  const __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
  const __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
  // first4[q] holds rows 0-3 of depth steps q (low half) and q + 4 (high half);
  // last2[q] holds rows 4-5 of the same steps in its lanes 0-1 and 4-5.
  const __m256 first4[4] = {_mm256_shuffle_ps(t0, t2, 0x44), _mm256_shuffle_ps(t0, t2, 0xEE),
                            _mm256_shuffle_ps(t1, t3, 0x44), _mm256_shuffle_ps(t1, t3, 0xEE)};
  const __m256 last2[4] = {_mm256_shuffle_ps(t4, zero, 0x44), _mm256_shuffle_ps(t4, zero, 0xEE),
                           _mm256_shuffle_ps(t5, zero, 0x44), _mm256_shuffle_ps(t5, zero, 0xEE)};
  for (int q = 0; q < 4; ++q) {
    float* low = dst + q * kMR;
    float* high = dst + (q + 4) * kMR;
    _mm_storeu_ps(low, _mm256_castps256_ps128(first4[q]));
    _mm_storel_pi(reinterpret_cast<__m64*>(low + 4), _mm256_castps256_ps128(last2[q]));
    _mm_storeu_ps(high, _mm256_extractf128_ps(first4[q], 1));
    _mm_storel_pi(reinterpret_cast<__m64*>(high + 4), _mm256_extractf128_ps(last2[q], 1));
  }
}

// Eight depth steps of eight lanes: rows[l][p..p+8) -> dst[(p + q) * kNR + l].
inline void transpose_8x8(const float* const rows[8], int64_t p, float* dst) {
  const __m256 r0 = _mm256_loadu_ps(rows[0] + p), r1 = _mm256_loadu_ps(rows[1] + p);
  const __m256 r2 = _mm256_loadu_ps(rows[2] + p), r3 = _mm256_loadu_ps(rows[3] + p);
  const __m256 r4 = _mm256_loadu_ps(rows[4] + p), r5 = _mm256_loadu_ps(rows[5] + p);
  const __m256 r6 = _mm256_loadu_ps(rows[6] + p), r7 = _mm256_loadu_ps(rows[7] + p);
  const __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
  const __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
  const __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
  const __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
  // Lanes 0-3 of depth steps q and q + 4 in u[q]'s halves, lanes 4-7 in v[q]'s.
  const __m256 u[4] = {_mm256_shuffle_ps(t0, t2, 0x44), _mm256_shuffle_ps(t0, t2, 0xEE),
                       _mm256_shuffle_ps(t1, t3, 0x44), _mm256_shuffle_ps(t1, t3, 0xEE)};
  const __m256 v[4] = {_mm256_shuffle_ps(t4, t6, 0x44), _mm256_shuffle_ps(t4, t6, 0xEE),
                       _mm256_shuffle_ps(t5, t7, 0x44), _mm256_shuffle_ps(t5, t7, 0xEE)};
  for (int q = 0; q < 4; ++q) {
    _mm256_storeu_ps(dst + q * kNR, _mm256_permute2f128_ps(u[q], v[q], 0x20));
    _mm256_storeu_ps(dst + (q + 4) * kNR, _mm256_permute2f128_ps(u[q], v[q], 0x31));
  }
}

}  // namespace

void pack_b_avx2_fma(int64_t k, int64_t n, const float* src, int64_t rs, int64_t cs, float* dst) {
  const int64_t full_cols = rs == 1 ? n / kNR * kNR : 0;
  for (int64_t j = 0; j < full_cols; j += kNR) {
    const float* cols[kNR];
    for (int lane = 0; lane < kNR; ++lane) cols[lane] = src + (j + lane) * cs;
    float* panel = dst + j * k;
    int64_t p = 0;
    for (; p + 8 <= k; p += 8) {
      transpose_8x8(cols, p, panel + p * kNR);
      transpose_8x8(cols + 8, p, panel + p * kNR + 8);
    }
    for (; p < k; ++p)
      for (int lane = 0; lane < kNR; ++lane) panel[p * kNR + lane] = cols[lane][p];
  }
  // A row-major B (whole-row copies) and a partial last panel.
  if (full_cols < n) pack_b(k, n - full_cols, src + full_cols * cs, rs, cs, dst + full_cols * k);
}

void pack_a_avx2_fma(int64_t m, int64_t k, const float* src, int64_t rs, int64_t cs, float* dst) {
  const int64_t full_rows = cs == 1 ? m / kMR * kMR : 0;
  for (int64_t i = 0; i < full_rows; i += kMR) {
    const float* rows[kMR];
    for (int r = 0; r < kMR; ++r) rows[r] = src + (i + r) * rs;
    float* panel = dst + i * k;
    int64_t p = 0;
    for (; p + 8 <= k; p += 8) transpose_6x8(rows, p, panel + p * kMR);
    for (; p < k; ++p)
      for (int r = 0; r < kMR; ++r) panel[p * kMR + r] = rows[r][p];
  }
  // A transposed A (contiguous 6-float copies) and a partial last panel.
  if (full_rows < m) pack_a(m - full_rows, k, src + full_rows * rs, rs, cs, dst + full_rows * k);
}

}  // namespace kernas::gemm
