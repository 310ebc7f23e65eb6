// Keras 3's losses with their gradients, on float32 arrays of rows x cols.
//
// Each row is one sample (cols = the last axis, which Keras reduces over).
// Every function returns Keras's reduced loss
//   sum over rows of loss_i * w_i, divided by `divisor`
// (w_i = weights[i], or 1 when weights is null; a divisor of 0 gives 0, as
// Keras's divide_no_nan does). Keras's default reduction
// "sum_over_batch_size" is divisor = rows; "sum" is 1; "mean_with_sample_weight"
// is the sum of the weights. The same call can also write:
//   per_sample  rows floats, loss_i * w_i (Keras's reduction=None), or null;
//   grad        rows x cols, d(returned loss)/d(y_pred), the 1/divisor and
//               weight factors included, or null (the forward-only variant).
// The batch sum runs over fixed chunks of rows combined in chunk order, in
// double, so the result is the same for every thread count.
#pragma once

#include <cstdint>

namespace kernas {

// Keras's backend.epsilon(): probabilities are clipped to [eps, 1 - eps].
constexpr double kLossEpsilon = 1e-7;

enum class LossKind : int {
  MeanSquaredError,    // mean((y_true - y_pred)^2)
  MeanAbsoluteError,   // mean(|y_true - y_pred|)
  Huber,               // mean(0.5 e^2 if |e| <= delta else delta |e| - 0.5 delta^2), e = y_pred - y_true
  BinaryCrossentropy,  // y_pred: probabilities, mean over the row
  BinaryCrossentropyFromLogits,
  CategoricalCrossentropy,  // y_pred: probabilities, one distribution per row
  CategoricalCrossentropyFromLogits,
};

struct LossSpec {
  LossKind kind = LossKind::MeanSquaredError;
  double delta = 1.0;            // Huber only
  double label_smoothing = 0.0;  // the crossentropies only, in [0, 1]
};

// y_true and y_pred: rows x cols. grad may not alias the inputs.
float loss(const LossSpec& spec, int64_t rows, int64_t cols, const float* y_true, const float* y_pred,
           const float* weights, double divisor, float* per_sample, float* grad);

// Sparse categorical crossentropy: labels holds one class index per row, each
// in [0, classes) (check with first_label_out_of_range first: the kernels
// index y_pred with the labels unchecked). y_pred: rows x classes
// probabilities, or logits when from_logits.
float sparse_categorical_crossentropy(int64_t rows, int64_t classes, const int64_t* labels, const float* y_pred,
                                      bool from_logits, const float* weights, double divisor, float* per_sample,
                                      float* grad);

// The index of the first label outside [0, classes), or -1 when all are valid.
int64_t first_label_out_of_range(int64_t rows, int64_t classes, const int64_t* labels);

// Softmax and crossentropy fused for an output layer whose activation is
// softmax: from the logits (the layer's pre-activation output) it computes
// the crossentropy of softmax(logits) and dL/dlogits = (softmax * sum(t) - t)
// * w_i / divisor, which is (softmax - t) * w_i / divisor for one-hot or
// smoothed labels. Labels are dense (y_true, rows x classes, optionally
// smoothed as Keras's categorical_crossentropy does) or sparse (labels, one
// valid class index per row); pass exactly one. probabilities (rows x
// classes, or null) receives softmax(logits), the layer's output.
//
// How it differs from Keras computing the crossentropy on the layer's
// probabilities: Keras's numpy, jax and torch backends clip the probabilities
// to [1e-7, 1 - 1e-7] before the log, so where a labelled probability lies
// outside that range their loss is capped (at -log(1e-7) ~= 16.1) and its
// gradient is zero, while the fused loss keeps -log p and its gradient keeps
// pulling. Elsewhere the two agree to rounding. Keras's TensorFlow backend
// makes exactly this substitution itself (it takes the logits from the
// softmax op), as do the fused losses of every other framework; the fused
// form is also the better-conditioned one. `clipped_rows` counts the rows
// where Keras's clipping would have been active (a labelled probability
// outside [eps, 1 - eps]), so a caller that must reproduce the clipped values
// can fall back to the probability path when it is nonzero.
struct SoftmaxCrossentropyResult {
  float loss;
  int64_t clipped_rows;
};
SoftmaxCrossentropyResult softmax_crossentropy(int64_t rows, int64_t classes, const float* logits,
                                               const float* y_true, const int64_t* labels, double label_smoothing,
                                               const float* weights, double divisor, float* per_sample,
                                               float* probabilities, float* grad);

// The vector loops of the softmax rows, one set per kernel set
// (losses_reference.cpp, losses_avx2.cpp), chosen by active_arch().
struct SoftmaxRowKernels {
  // The largest element of x[0..n), -inf for n = 0.
  float (*max)(int64_t n, const float* x);
  // Returns the sum of exp(x[j] - shift) for shift >= max (vector_math.h's
  // exp_nonpositive, which flushes to 0 below -86.9) in double, in a fixed
  // order; writes each term to e[j] unless e is null.
  double (*exp_shifted)(int64_t n, const float* x, float shift, float* e);
  // One term of exp_shifted, exp(x) for x <= 0, with the same bits.
  float (*exp)(float x);
};
extern const SoftmaxRowKernels kSoftmaxRowKernelsReference;
extern const SoftmaxRowKernels kSoftmaxRowKernelsAvx2;

}  // namespace kernas
