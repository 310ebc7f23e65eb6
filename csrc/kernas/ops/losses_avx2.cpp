// AVX2 softmax-row loops: exp_nonpositive and the running max 8 lanes at a
// time with the reference's operations in the reference's order (no FMA), so
// both kernel sets give the same bits.
#include <immintrin.h>

#include <cmath>
#include <cstdint>
#include <cstring>

#include "kernas/ops/losses.h"

namespace kernas {
namespace {
#include "kernas/ops/losses_kernels.inc"

__m256 exp_nonpositive8(__m256 x) {
  const __m256 floor = _mm256_set1_ps(kExpFloor);
  const __m256 xc = _mm256_blendv_ps(x, floor, _mm256_cmp_ps(x, floor, _CMP_LT_OQ));
  const __m256 magic = _mm256_set1_ps(kRoundMagic);
  const __m256 t = _mm256_add_ps(_mm256_mul_ps(xc, _mm256_set1_ps(kLog2e)), magic);
  const __m256 n = _mm256_sub_ps(t, magic);
  const __m256 r = _mm256_sub_ps(_mm256_sub_ps(xc, _mm256_mul_ps(n, _mm256_set1_ps(kLn2High))),
                                 _mm256_mul_ps(n, _mm256_set1_ps(kLn2Low)));
  __m256 p = _mm256_set1_ps(1.9875691500e-4f);
  p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(1.3981999507e-3f));
  p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(8.3334519073e-3f));
  p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(4.1665795894e-2f));
  p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(1.6666665459e-1f));
  p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(5.0000001201e-1f));
  const __m256 e_r =
      _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(p, _mm256_mul_ps(r, r)), r), _mm256_set1_ps(1.0f));
  const __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_castps_si256(t), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(e_r, _mm256_castsi256_ps(bits));
}

float max_avx2(int64_t n, const float* x) {
  __m256 m = _mm256_set1_ps(-INFINITY);
  int64_t j = 0;
  for (; j + kLanes <= n; j += kLanes) m = _mm256_max_ps(_mm256_loadu_ps(x + j), m);  // = larger(x, m)
  float lanes[kLanes];
  _mm256_storeu_ps(lanes, m);
  return fold_max(lanes, j, n, x);
}

double exp_shifted_avx2(int64_t n, const float* x, float shift, float* e) {
  const __m256 shift8 = _mm256_set1_ps(shift);
  __m256d low = _mm256_setzero_pd(), high = _mm256_setzero_pd();  // lanes 0-3 and 4-7
  int64_t j = 0;
  for (; j + kLanes <= n; j += kLanes) {
    const __m256 v = exp_nonpositive8(_mm256_sub_ps(_mm256_loadu_ps(x + j), shift8));
    if (e) _mm256_storeu_ps(e + j, v);
    low = _mm256_add_pd(low, _mm256_cvtps_pd(_mm256_castps256_ps128(v)));
    high = _mm256_add_pd(high, _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
  }
  double lanes[kLanes];
  _mm256_storeu_pd(lanes, low);
  _mm256_storeu_pd(lanes + 4, high);
  return fold_exp_sum(lanes, j, n, x, shift, e);
}

}  // namespace

const SoftmaxRowKernels kSoftmaxRowKernelsAvx2{max_avx2, exp_shifted_avx2, exp_nonpositive};

}  // namespace kernas
