#include "kernas/ops/clipping.h"

#include <cmath>
#include <vector>

#include "kernas/parallel.h"

namespace kernas {
namespace {

// Floats per partial sum: part of the result's definition, never derived from the thread count.
constexpr int64_t kChunk = 1 << 14;
// Chunks per thread below which a second thread costs more than it saves.
constexpr int64_t kChunksPerThread = 2;

// ops.maximum / ops.minimum: NaN if either operand is NaN.
float nan_max(float a, float b) { return std::isnan(a) || std::isnan(b) ? a + b : (a > b ? a : b); }
float nan_min(float a, float b) { return std::isnan(a) || std::isnan(b) ? a + b : (a < b ? a : b); }

struct Chunk {
  const float* data;
  int64_t size;
};

// Sum of squares of each gradient, accumulated in double over fixed chunks.
std::vector<double> sums_of_squares(const GradientView* gradients, int64_t count, SumSquaresKernel sum_squares) {
  std::vector<Chunk> chunks;
  std::vector<int64_t> first_chunk(static_cast<size_t>(count) + 1);
  for (int64_t t = 0; t < count; ++t) {
    first_chunk[t] = static_cast<int64_t>(chunks.size());
    for (int64_t offset = 0; offset < gradients[t].size; offset += kChunk) {
      const int64_t left = gradients[t].size - offset;
      chunks.push_back({gradients[t].data + offset, left < kChunk ? left : kChunk});
    }
  }
  first_chunk[count] = static_cast<int64_t>(chunks.size());

  std::vector<double> partial(chunks.size());
  parallel_for(
      static_cast<int64_t>(chunks.size()), kChunksPerThread,
      [&](int64_t begin, int64_t end) {
        for (int64_t c = begin; c < end; ++c) partial[c] = sum_squares(chunks[c].data, chunks[c].size);
      },
      1);

  std::vector<double> sums(static_cast<size_t>(count), 0.0);
  for (int64_t t = 0; t < count; ++t)
    for (int64_t c = first_chunk[t]; c < first_chunk[t + 1]; ++c) sums[t] += partial[c];
  return sums;
}

}  // namespace

void gradient_clip_factors(const GradientClipping& clipping, const GradientView* gradients, int64_t count,
                           SumSquaresKernel sum_squares, ClipFactors* factors) {
  // Keras casts its Python-float threshold to float32 where it meets a tensor.
  const float threshold = static_cast<float>(clipping.threshold);
  ClipFactors common;
  common.kind = clipping.kind;
  switch (clipping.kind) {
    case ClipKind::None:
      break;
    case ClipKind::Value:
      common.low = static_cast<float>(-clipping.threshold);
      common.high = threshold;
      break;
    case ClipKind::Norm: {
      // _clip_by_norm: l2norm = sqrt(l2sum) where l2sum > 0, else l2sum;
      // g * clipnorm / maximum(l2norm, clipnorm).
      const std::vector<double> sums = sums_of_squares(gradients, count, sum_squares);
      for (int64_t t = 0; t < count; ++t) {
        const float l2sum = static_cast<float>(sums[t]);
        const float l2norm = l2sum > 0.0f ? std::sqrt(l2sum) : l2sum;
        factors[t] = common;
        factors[t].numerator = threshold;
        factors[t].denominator = nan_max(l2norm, threshold);
      }
      return;
    }
    case ClipKind::GlobalNorm: {
      // clip_by_global_norm: scale = clip_norm * minimum(1 / norm, 1 / clip_norm)
      // + (norm - norm), where 1 / clip_norm is a Python double cast to float32.
      const std::vector<double> sums = sums_of_squares(gradients, count, sum_squares);
      double total = 0.0;
      for (int64_t t = 0; t < count; ++t) total += sums[t];
      const float norm = std::sqrt(static_cast<float>(total));
      common.scale = threshold * nan_min(1.0f / norm, static_cast<float>(1.0 / clipping.threshold)) + (norm - norm);
      break;
    }
  }
  for (int64_t t = 0; t < count; ++t) factors[t] = common;
}

}  // namespace kernas
