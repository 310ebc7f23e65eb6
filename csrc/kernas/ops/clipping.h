// Gradient clipping as Keras 3's optimizers do it before an update
// (base_optimizer._clip_gradients): the per-tensor factors that the fused
// update kernels apply to each gradient element.
#pragma once

#include <cstdint>

namespace kernas {

// Keras's clipvalue, clipnorm (each tensor on its own) and global_clipnorm
// (all tensors together). Keras allows at most one and clips only when the
// threshold is positive; callers pass None for anything else.
enum class ClipKind { None, Value, Norm, GlobalNorm };

struct GradientClipping {
  ClipKind kind = ClipKind::None;
  double threshold = 0.0;
};

// What the update kernels do to each gradient element g of one tensor:
//   Value:      min(max(g, low), high)        (ops.clip(g, -v, v); NaN stays NaN)
//   Norm:       (g * numerator) / denominator (Keras's _clip_by_norm)
//   GlobalNorm: g * scale                     (Keras's clip_by_global_norm)
struct ClipFactors {
  ClipKind kind = ClipKind::None;
  float low = 0.0f, high = 0.0f;                  // Value
  float numerator = 0.0f, denominator = 0.0f;    // Norm
  float scale = 1.0f;                             // GlobalNorm
};

// One gradient tensor, as the norms see it.
struct GradientView {
  const float* data;
  int64_t size;
};

// Sum of x[i]^2 over n floats: each square is exact in double, added into 16
// double lanes (lane = i % 16) that are then summed in lane order. Every
// kernel set implements exactly this, so the bits match across sets.
using SumSquaresKernel = double (*)(const float* x, int64_t n);

// The clip factors of each of `count` gradients into factors[0..count). The
// sums of squares behind the norms run over fixed chunks of each tensor,
// combined in chunk order (and tensors in order), so the factors are the same
// bits for any thread count. Sums accumulate in double and round once to
// float32; from there on the maths is Keras's, in float32.
void gradient_clip_factors(const GradientClipping& clipping, const GradientView* gradients, int64_t count,
                           SumSquaresKernel sum_squares, ClipFactors* factors);

}  // namespace kernas
