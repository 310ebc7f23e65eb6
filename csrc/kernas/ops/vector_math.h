// Branch-free float32 exp, expm1, log1p, tanh, sigmoid and normal CDF for
// elementwise loops that the compiler vectorises: no calls, no branches (only
// selects), no float-to-int conversions (integers come from the bits of a
// rounded float), so a loop over any of them becomes SIMD code whose vector
// body and scalar tail compute identical bits (with -ffp-contract=off).
// Accuracy: a few ulp over the whole float range; results below about 2e-38
// (where a float loses precision anyway) flush to 0; NaN propagates.
//
// Tuned for throughput, since these loops run out of instructions per cycle
// long before memory bandwidth: polynomials in Estrin's scheme (short
// dependency chains), out-of-range inputs fixed by a select on the result
// rather than clamped on the way in, and the long functions split into two
// steps that a loop can run as separate passes.
//
// Everything lives in an anonymous namespace: each kernel set's translation
// unit gets its own copy compiled for its own instruction set (no ODR clash).
#pragma once

#include <cstdint>
#include <cstring>

namespace kernas {
namespace {

inline uint32_t bits_of(float x) {
  uint32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  return bits;
}

inline float float_of(uint32_t bits) {
  float x;
  std::memcpy(&x, &bits, sizeof x);
  return x;
}

constexpr uint32_t kSignBit = 0x80000000u;
constexpr float kInfinity = __builtin_inff();

// Clamps that keep NaN (a comparison with NaN is false, so NaN falls through).
inline float at_least(float x, float low) { return x < low ? low : x; }
inline float at_most(float x, float high) { return x > high ? high : x; }

inline float abs_of(float x) { return float_of(bits_of(x) & ~kSignBit); }
inline float minus_abs_of(float x) { return float_of(bits_of(x) | kSignBit); }

// Adding 1.5 * 2^23 to |v| < 2^22 rounds v to an integer n held in the low
// mantissa bits: n = (that sum) - 1.5 * 2^23 exactly, and the sum's bits
// minus the constant's bits are n as an integer.
constexpr float kRoundingShift = 12582912.0f;

constexpr float kLog2e = 1.44269504088896341f;
// ln 2 in two parts (Cody-Waite): n * kLn2High is exact for |n| < 2^15.
constexpr float kLn2High = 0.693359375f;
constexpr float kLn2Low = -2.12194440e-4f;

// x = n ln2 + r with |r| <= ln2 / 2 (a little more where x log2(e) rounds
// across a half), for |x| < 2^21; `shifted` holds n (see kRoundingShift).
struct Reduced {
  float r;
  float shifted;
};

inline Reduced reduce_by_ln2(float x) {
  const float shifted = x * kLog2e + kRoundingShift;
  const float n = shifted - kRoundingShift;
  return {(x - n * kLn2High) - n * kLn2Low, shifted};
}

// 2^(n + bias) for the n in `shifted`, valid while n + bias lies in [-126, 127].
inline float power_of_two(float shifted, int32_t bias) {
  return float_of((bits_of(shifted) + static_cast<uint32_t>(127 + bias) - bits_of(kRoundingShift)) << 23);
}

// factor * (e^r - 1 - r) / r^2 on |r| <= 1.02 ln2/2: a degree-4 fit whose
// e^r - 1 = r + r^2 tail(r) is within 1.5e-8 relative (factor 1 or 2, exact).
inline float exp_tail(float r, float r2, float factor) {
  const float a = factor * 4.999999702e-01f + (factor * 1.666653603e-01f) * r;
  const float b = factor * 4.166742414e-02f + (factor * 8.367629722e-03f) * r;
  return (a + r2 * b) + (r2 * r2) * (factor * 1.387347234e-03f);
}

// Below kExpMin e^x flushes to 0 (e^x < 2e-38); above kExpMax it is inf.
constexpr float kExpMin = -86.9f;
constexpr float kExpMax = 88.72283f;

// e^x = 2 e^r * 2^(n-1): 2 e^r has e^r's bits times 2 (coefficients doubled),
// and 2^(n-1) stays a normal float for every n in [kExpMin, kExpMax].
inline float exp_of_reduced(Reduced reduced) {
  const float r = reduced.r, r2 = r * r;
  const float twice_exp_r = ((r + r) + r2 * exp_tail(r, r2, 2.0f)) + 2.0f;
  return twice_exp_r * power_of_two(reduced.shifted, -1);
}

// e^x for every float x, relative error about 1 ulp.
inline float exp_approx(float x) {
  float y = exp_of_reduced(reduce_by_ln2(x));  // garbage out of range: replaced below
  // Two plain selects: GCC turns a nested ?: into twice the instructions.
  y = x > kExpMax ? kInfinity : y;
  return x < kExpMin ? 0.0f : y;
}

// e^x for x <= 0 (or NaN): exp_approx without the overflow check.
inline float exp_nonpositive(float x) {
  const float y = exp_of_reduced(reduce_by_ln2(x));
  return x < kExpMin ? 0.0f : y;
}

// e^(a + b) for a + b in [kExpMin, 0], where b may be small beside a: b joins
// after the reduction of a, so its digits are not rounded away in a + b.
inline float exp_of_sum(float a, float b) {
  const float shifted = (a + b) * kLog2e + kRoundingShift;
  const float n = shifted - kRoundingShift;
  return exp_of_reduced({((a - n * kLn2High) + b) - n * kLn2Low, shifted});
}

// e^x - 1 = 2^n (e^r - 1) + (2^n - 1) for x <= 88, relative error a few ulp
// also near 0 (where e^x - 1 cancels); no range check: larger x gives garbage.
inline float expm1_unchecked(float x) {
  const Reduced reduced = reduce_by_ln2(x);
  const float r = reduced.r, r2 = r * r;
  const float scale = power_of_two(reduced.shifted, 0);
  return scale * (r + r2 * exp_tail(r, r2, 1.0f)) + (scale - 1.0f);
}

// e^x - 1 for x <= 88 (larger x gives garbage: callers select those lanes away).
inline float expm1_approx(float x) { return x < -20.0f ? -1.0f : expm1_unchecked(x); }

// log(1 + u) for u in [0, 1] as u * L(u), L a degree-8 fit of log1p(u) / u
// (relative error 3.3e-8), so tiny u keep full relative accuracy.
inline float log1p_unit(float u) {
  const float u2 = u * u, u4 = u2 * u2;
  const float a = (1.0f - 4.999964833e-01f * u) + u2 * (3.332132995e-01f - 2.485721707e-01f * u);
  const float b = (1.915384829e-01f - 1.375418752e-01f * u) + u2 * (7.920882851e-02f - 3.006830066e-02f * u);
  return u * (a + u4 * (b + u4 * 5.365422461e-03f));
}

// log(s) for s >= 1 (a sum of exponentials led by a 1): s = 2^e m with m in
// [1, 2), log s = e ln2 + log1p(m - 1), both terms positive so nothing
// cancels. NaN propagates.
inline float log_at_least_one(float s) {
  const uint32_t bits = bits_of(s);
  const float e = static_cast<float>(static_cast<int32_t>(bits >> 23) - 127);
  const float m = float_of((bits & 0x007fffffu) | 0x3f800000u);
  const float result = e * kLn2High + (e * kLn2Low + log1p_unit(m - 1.0f));
  return s == s ? result : s;
}

// sigmoid(x) and 1 - sigmoid(x), each to a few ulp: for x > 0 the complement
// is e^-x sigmoid(x), where 1 - sigmoid(x) would cancel.
struct Sigmoid {
  float value;
  float complement;
};

// From e = exp_approx(-x).
inline Sigmoid sigmoid_from_exp(float x, float e) {
  const float s = 1.0f / (1.0f + e);
  return {s, x > 0.0f ? e * s : 1.0f - s};
}

// tanh(x) = sign(x) e / (e + 2) with e = expm1(2|x|), accurate near 0 as well;
// |x| >= 9 rounds to +-1. In two steps: tanh_from_expm1(x, tanh_expm1(x)).
inline float tanh_expm1(float x) { return expm1_unchecked(2.0f * at_most(abs_of(x), 9.0f)); }
inline float tanh_from_expm1(float x, float e) { return float_of(bits_of(e / (e + 2.0f)) | (bits_of(x) & kSignBit)); }

// For GELU, the standard normal distribution at x in two steps:
// gaussian_exp(x) = exp(-x^2 / 2), then normal_cdf(x, that) = Phi(x).
//
// x^2 / 2 is formed from a 12-bit head of |x| (whose square is exact) and the
// rest, since its rounding would cost up to 40 ulp of Phi in the tail. Beyond
// |x| = 13.1 both results are below 2e-38 and flush to 0.
constexpr float kGaussianLimit = 13.1f;

inline float gaussian_exp(float x) {
  const float u = at_most(abs_of(x), kGaussianLimit);
  const float head = float_of(bits_of(u) & 0xfffff000u);
  const float tail = u - head;
  const float e = exp_of_sum((-0.5f * head) * head, -0.5f * (tail * (u + head)));
  return abs_of(x) > kGaussianLimit ? 0.0f : e;
}

// Phi(-u) = exp(-u^2 / 2) R(u) for u >= 0, R a (4, 5) rational fit of the
// scaled tail erfcx(u / sqrt 2) / 2 (relative error 2.5e-8); Phi(u) = 1 - Phi(-u).
inline float normal_cdf(float x, float gaussian) {
  const float u = at_most(abs_of(x), kGaussianLimit);
  const float u2 = u * u, u4 = u2 * u2;
  const float p = ((0.5f + 4.403946400e-01f * u) + u2 * (1.847687066e-01f + 4.114357382e-02f * u)) +
                  u4 * 4.189972766e-03f;
  const float q = ((1.0f + 1.678674221e+0f * u) + u2 * (1.208920956e+0f + 4.735127389e-01f * u)) +
                  u4 * (1.031372920e-01f + 1.050260477e-02f * u);
  const float lower_tail = gaussian * (p / q);
  return x < 0.0f ? lower_tail : 1.0f - lower_tail;
}

}  // namespace
}  // namespace kernas
