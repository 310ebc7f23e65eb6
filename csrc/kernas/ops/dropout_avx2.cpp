// AVX2 dropout: the 8 Philox blocks of a group run side by side in ymm
// registers (vpmuludq for the 32 x 32 -> 64-bit products), two groups at a
// time so that one group's multiplies fill the other's latency, and each of
// a block's 4 output words masks 8 consecutive floats. The compiler does not
// find this vectorisation itself. Bitwise identical to the reference kernel:
// the same integer arithmetic, one float multiply per kept element.
#include <immintrin.h>

#include <cstdint>

#include "kernas/ops/dropout.h"

namespace kernas {
namespace {
#include "kernas/ops/dropout_kernels.inc"

// (hi, lo) 32-bit halves of m * c in each of the 8 lanes.
inline void mulhilo(__m256i m, __m256i c, __m256i& hi, __m256i& lo) {
  const __m256i even = _mm256_mul_epu32(c, m);                         // lanes 0, 2, 4, 6 as 64-bit products
  const __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(c, 32), m);  // lanes 1, 3, 5, 7
  lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
  hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
}

// The Philox state of one group: word w of its 8 blocks in c[w].
struct GroupState {
  __m256i c0, c1, c2, c3;
};

inline GroupState initial_state(int64_t start, __m256i step_lo, __m256i step_hi) {
  // The group's first block is a multiple of 8, so adding the lane never carries into the high word.
  const uint64_t first_block = static_cast<uint64_t>(start / kDropoutGroup) * kBlocksPerGroup;
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return {_mm256_add_epi32(_mm256_set1_epi32(static_cast<int>(static_cast<uint32_t>(first_block))), lanes),
          _mm256_set1_epi32(static_cast<int>(static_cast<uint32_t>(first_block >> 32))), step_lo, step_hi};
}

inline void philox_round(GroupState& s, __m256i k0, __m256i k1) {
  const __m256i m0 = _mm256_set1_epi32(static_cast<int>(kPhiloxM0));
  const __m256i m1 = _mm256_set1_epi32(static_cast<int>(kPhiloxM1));
  __m256i hi0, lo0, hi1, lo1;
  mulhilo(m0, s.c0, hi0, lo0);
  mulhilo(m1, s.c2, hi1, lo1);
  s.c0 = _mm256_xor_si256(_mm256_xor_si256(hi1, s.c1), k0);
  s.c1 = lo1;
  s.c2 = _mm256_xor_si256(_mm256_xor_si256(hi0, s.c3), k1);
  s.c3 = lo0;
}

// y = x * scale where bits >= threshold (unsigned), else +0.
inline void mask8(const float* x, __m256i bits, __m256i threshold, __m256 scale, float* y) {
  const __m256i keep = _mm256_cmpeq_epi32(_mm256_max_epu32(bits, threshold), bits);
  _mm256_storeu_ps(y, _mm256_and_ps(_mm256_castsi256_ps(keep), _mm256_mul_ps(_mm256_loadu_ps(x), scale)));
}

inline void mask_group(const GroupState& s, const float* x, __m256i threshold, __m256 scale, float* y) {
  mask8(x, s.c0, threshold, scale, y);
  mask8(x + 8, s.c1, threshold, scale, y + 8);
  mask8(x + 16, s.c2, threshold, scale, y + 16);
  mask8(x + 24, s.c3, threshold, scale, y + 24);
}

}  // namespace

void dropout_kernel_avx2_fma(int64_t begin, int64_t end, const float* x, uint32_t threshold, float scale,
                             uint64_t seed, uint64_t step, float* y) {
  const __m256i threshold8 = _mm256_set1_epi32(static_cast<int>(threshold));
  const __m256 scale8 = _mm256_set1_ps(scale);
  const __m256i step_lo = _mm256_set1_epi32(static_cast<int>(static_cast<uint32_t>(step)));
  const __m256i step_hi = _mm256_set1_epi32(static_cast<int>(static_cast<uint32_t>(step >> 32)));
  __m256i keys0[kPhiloxRounds], keys1[kPhiloxRounds];
  uint32_t k0 = static_cast<uint32_t>(seed), k1 = static_cast<uint32_t>(seed >> 32);
  for (int round = 0; round < kPhiloxRounds; ++round, k0 += kPhiloxW0, k1 += kPhiloxW1) {
    keys0[round] = _mm256_set1_epi32(static_cast<int>(k0));
    keys1[round] = _mm256_set1_epi32(static_cast<int>(k1));
  }
  dropout_range(begin, end, x, threshold, scale, seed, step, y, [&](int64_t lo, int64_t hi) {
    int64_t start = lo;
    for (; start + 2 * kDropoutGroup <= hi; start += 2 * kDropoutGroup) {
      GroupState a = initial_state(start, step_lo, step_hi);
      GroupState b = initial_state(start + kDropoutGroup, step_lo, step_hi);
      for (int round = 0; round < kPhiloxRounds; ++round) {
        philox_round(a, keys0[round], keys1[round]);
        philox_round(b, keys0[round], keys1[round]);
      }
      mask_group(a, x + start, threshold8, scale8, y + start);
      mask_group(b, x + start + kDropoutGroup, threshold8, scale8, y + start + kDropoutGroup);
    }
    if (start < hi) {
      GroupState a = initial_state(start, step_lo, step_hi);
      for (int round = 0; round < kPhiloxRounds; ++round) philox_round(a, keys0[round], keys1[round]);
      mask_group(a, x + start, threshold8, scale8, y + start);
    }
  });
}

}  // namespace kernas
