// The optimizer loops eight floats at a time with AVX2. The lanes are
// intrinsics because the compiler does not vectorise std::sqrt (it may set
// errno). Same source as the reference set, same bits.
#include <immintrin.h>

#include <cmath>

#include "kernas/ops/optimizers.h"

namespace kernas::optimizer_kernels {
namespace {
#include "kernas/ops/optimizers_kernels.inc"

struct Avx2Lanes {
  using T = __m256;
  static constexpr int64_t kWidth = 8;
  static T load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, T x) { _mm256_storeu_ps(p, x); }
  static T broadcast(float x) { return _mm256_set1_ps(x); }
  static T add(T a, T b) { return _mm256_add_ps(a, b); }
  static T sub(T a, T b) { return _mm256_sub_ps(a, b); }
  static T mul(T a, T b) { return _mm256_mul_ps(a, b); }
  static T div(T a, T b) { return _mm256_div_ps(a, b); }
  static T sqrt(T a) { return _mm256_sqrt_ps(a); }
  static T max(T a, T b) { return _mm256_max_ps(a, b); }
  static T min(T a, T b) { return _mm256_min_ps(a, b); }

  // Lanes 0-3, 4-7, 8-11, 12-15 of each 16-float block in four accumulators.
  static void accumulate_squares(const float* x, int64_t blocks, double* lanes) {
    __m256d a0 = _mm256_loadu_pd(lanes), a1 = _mm256_loadu_pd(lanes + 4);
    __m256d a2 = _mm256_loadu_pd(lanes + 8), a3 = _mm256_loadu_pd(lanes + 12);
    for (int64_t b = 0; b < blocks; ++b, x += 16) {
      const __m256 lo = _mm256_loadu_ps(x), hi = _mm256_loadu_ps(x + 8);
      const __m256d d0 = _mm256_cvtps_pd(_mm256_castps256_ps128(lo));
      const __m256d d1 = _mm256_cvtps_pd(_mm256_extractf128_ps(lo, 1));
      const __m256d d2 = _mm256_cvtps_pd(_mm256_castps256_ps128(hi));
      const __m256d d3 = _mm256_cvtps_pd(_mm256_extractf128_ps(hi, 1));
      a0 = _mm256_add_pd(a0, _mm256_mul_pd(d0, d0));
      a1 = _mm256_add_pd(a1, _mm256_mul_pd(d1, d1));
      a2 = _mm256_add_pd(a2, _mm256_mul_pd(d2, d2));
      a3 = _mm256_add_pd(a3, _mm256_mul_pd(d3, d3));
    }
    _mm256_storeu_pd(lanes, a0);
    _mm256_storeu_pd(lanes + 4, a1);
    _mm256_storeu_pd(lanes + 8, a2);
    _mm256_storeu_pd(lanes + 12, a3);
  }
};

constexpr Table kTable = kernel_table<Avx2Lanes>();
}  // namespace

const Table& avx2_fma() { return kTable; }

}  // namespace kernas::optimizer_kernels
