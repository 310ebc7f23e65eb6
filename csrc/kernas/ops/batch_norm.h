// Batch normalization over the last (channels) axis of a rows x channels
// float32 array, channels contiguous (an NHWC activation is rows = N * H * W):
// forward in training mode (batch statistics) and inference mode (given
// statistics), and the gradients of both.
//
// Reductions over rows are summed in fixed chunks of kBatchNormChunkRows
// rows, and the chunk results are combined in chunk order in double, so every
// thread count and both kernel sets give the same bits. The variance is the
// biased one (divided by rows), as Keras uses: each chunk's mean and sum of
// squared deviations from it, of the data shifted by its first row, merged
// with Chan et al.'s pairwise update, so a mean large against the spread costs
// no precision (E[x^2] - E[x]^2 would lose it all).
#pragma once

#include <cstdint>

namespace kernas {

// Rows per reduction chunk: part of the result's definition, never derived from the thread count.
constexpr int64_t kBatchNormChunkRows = 256;

// Training forward. x, y: rows x channels (y may not alias x). Writes the
// batch mean, biased variance and inv_std = 1 / sqrt(variance + epsilon)
// (computed in double) per channel, then
//   y = (x - mean) * (gamma * inv_std) + beta
// (gamma null: 1; beta null: 0), the order of Keras's torch backend. If
// moving_mean and moving_variance are not null they are updated in place, as
// Keras does: moving = moving * momentum + batch * one_minus_momentum, in
// float (the caller rounds 1 - momentum from double, as Keras's float32 tensors
// see it). inv_std is computed from the rounded float variance, so inference
// with these statistics gives the same bits. Throws std::invalid_argument when
// rows < 1 (no statistics).
void batch_norm_forward_training(int64_t rows, int64_t channels, const float* x, const float* gamma,
                                 const float* beta, float epsilon, float* y, float* mean, float* variance,
                                 float* inv_std, float* moving_mean, float* moving_variance, float momentum,
                                 float one_minus_momentum);

// Inference forward with given statistics (the moving ones):
//   y = (x - mean) * (gamma * inv_std) + beta, inv_std = 1 / sqrt(variance + epsilon);
// inv_std is written out when not null (the backward takes it).
void batch_norm_forward_inference(int64_t rows, int64_t channels, const float* x, const float* mean,
                                  const float* variance, const float* gamma, const float* beta, float epsilon,
                                  float* y, float* inv_std);

// Gradients from dy (rows x channels) given the forward's x, mean and inv_std.
// dgamma = sum over rows of dy * (x - mean) * inv_std, dbeta = sum of dy.
// training: the statistics were the batch's, so they depend on x:
//   dx = gamma * inv_std * (dy - dbeta / rows - (x - mean) * inv_std * dgamma / rows);
// otherwise (inference mode, a frozen layer) dx = dy * gamma * inv_std.
// Any of dx, dgamma, dbeta may be null (not wanted); gamma null means 1.
void batch_norm_backward(int64_t rows, int64_t channels, const float* x, const float* dy, const float* mean,
                         const float* inv_std, const float* gamma, bool training, float* dx, float* dgamma,
                         float* dbeta);

// The loops of one kernel set, for the dispatcher in batch_norm.cpp and the
// kernel-set files (batch_norm_reference.cpp, batch_norm_avx2.cpp). Every loop
// runs over channels innermost, so each channel's arithmetic is the same
// scalar sequence in both sets.
namespace batch_norm_kernels {

struct Table {
  // One chunk of `rows` rows (row stride `channels`), channels [c0, c1), of
  // x - shift: its mean (sum / rows) and sum of squared deviations from that
  // mean into mean[c] and m2[c].
  void (*chunk_moments)(int64_t rows, int64_t channels, int64_t c0, int64_t c1, const float* x, const float* shift,
                        float* mean, float* m2);
  // One chunk, channels [c0, c1): sum of dy and of dy * (x - mean).
  void (*chunk_grad_sums)(int64_t rows, int64_t channels, int64_t c0, int64_t c1, const float* x, const float* dy,
                          const float* mean, float* sum_dy, float* sum_dy_xc);
  // Rows [first, last): y = (x - mean) * scale + shift.
  void (*normalize)(int64_t channels, const float* x, const float* mean, const float* scale, const float* shift,
                    float* y, int64_t first, int64_t last);
  // Rows [first, last): dx = (dy - a - (x - mean) * b) * k.
  void (*input_grad_training)(int64_t channels, const float* x, const float* dy, const float* mean, const float* k,
                              const float* a, const float* b, float* dx, int64_t first, int64_t last);
  // Rows [first, last): dx = dy * k.
  void (*input_grad_inference)(int64_t channels, const float* dy, const float* k, float* dx, int64_t first,
                               int64_t last);
};

const Table& reference();
const Table& avx2_fma();

}  // namespace batch_norm_kernels

}  // namespace kernas
