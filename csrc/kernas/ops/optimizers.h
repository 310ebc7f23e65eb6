// Optimizer updates with Keras 3's maths, in place, many tensors in one call.
//
// Each function applies one optimizer step to a list of variables: Keras's
// gradient clipping, then its weight decay w -= w * weight_decay * lr, then
// the optimizer's update_step, fused into one pass over memory. Every
// operation is the float32 operation Keras performs, in Keras's order (the
// backend-independent update_step of keras/src/optimizers/*.py), and scalar
// factors are formed as Keras forms them from Python floats, so results agree
// with Keras to the bit except for the sums of squares behind clipnorm and
// global_clipnorm (see clipping.h). The work is split over threads across all
// tensors' elements at once; results are bitwise identical for any thread
// count and kernel set.
#pragma once

#include <cstdint>

#include "kernas/ops/clipping.h"

namespace kernas {

// One variable: its weights, its gradient and its optimizer slots, each
// `size` contiguous floats. Which slots an optimizer uses is listed below;
// unused slots may be null. No array the update writes (weights, slots) may
// overlap another array of the call.
struct OptimizerTensor {
  int64_t size = 0;
  float* weights = nullptr;
  const float* gradient = nullptr;
  float* slots[3] = {nullptr, nullptr, nullptr};
  // Whether weight decay applies to this variable (Keras's
  // exclude_from_weight_decay turns it off per variable).
  bool decay = true;
};

// What every optimizer takes. weight_decay applies only to tensors whose
// `decay` flag is set; callers clear every flag for Keras's weight_decay=None.
struct OptimizerOptions {
  double learning_rate = 0.001;
  double weight_decay = 0.0;
  GradientClipping clipping;
};

// Slot 0: momentum (needed unless momentum == 0).
//   m = m * momentum - g * lr;  w = w + m
//   nesterov: w = w + (m * momentum - g * lr)      momentum 0: w = w - g * lr
struct SgdOptions : OptimizerOptions {
  double momentum = 0.0;
  bool nesterov = false;
};
void sgd_update(const SgdOptions& options, const OptimizerTensor* tensors, int64_t count);

// Slots 0, 1, 2: momentum m, velocity v, velocity_hat (amsgrad only).
// step is Keras's iterations + 1 (1 for the first update).
//   alpha = lr * sqrt(1 - beta_2^step) / (1 - beta_1^step)   (float32, powf)
//   m = m + (g - m) * (1 - beta_1);  v = v + (g * g - v) * (1 - beta_2)
//   amsgrad: v_hat = maximum(v_hat, v), used in place of v
//   w = w - (m * alpha) / (sqrt(v) + epsilon)
// AdamW is this with a weight decay.
struct AdamOptions : OptimizerOptions {
  int64_t step = 1;
  double beta_1 = 0.9;
  double beta_2 = 0.999;
  double epsilon = 1e-7;
  bool amsgrad = false;
};
void adam_update(const AdamOptions& options, const OptimizerTensor* tensors, int64_t count);

// Slots 0, 1, 2: velocity v, momentum (momentum > 0 only), average_gradient a
// (centered only).
//   v = rho * v + (1 - rho) * (g * g)
//   centered: a = rho * a + (1 - rho) * g;  d = v - a * a + epsilon   else d = v + epsilon
//   increment = (lr * g) / sqrt(d)
//   momentum > 0: m = momentum * m + increment; w = w - m    else w = w - increment
struct RmspropOptions : OptimizerOptions {
  double rho = 0.9;
  double momentum = 0.0;
  double epsilon = 1e-7;
  bool centered = false;
};
void rmsprop_update(const RmspropOptions& options, const OptimizerTensor* tensors, int64_t count);

// Slot 0: accumulator (Keras starts it at initial_accumulator_value, 0.1).
//   acc = acc + g * g;  w = w - (lr * g) / sqrt(acc + epsilon)
struct AdagradOptions : OptimizerOptions {
  double epsilon = 1e-7;
};
void adagrad_update(const AdagradOptions& options, const OptimizerTensor* tensors, int64_t count);

// The kernel sets behind the functions above (optimizers_reference.cpp,
// optimizers_avx2.cpp, both compiled from optimizers_kernels.inc). Each
// kernel updates one contiguous piece of one tensor; callers use the
// functions above.
namespace optimizer_kernels {

struct Segment {
  int64_t size;
  float* weights;
  const float* gradient;
  float* slots[3];
};

// Weight decay w = w - (w * weight_decay) * learning_rate, when `on`.
struct DecayFactors {
  bool on;
  float weight_decay, learning_rate;
};

struct SgdFactors {
  float learning_rate, momentum;
  bool has_momentum, nesterov;
};

struct AdamFactors {
  float alpha, one_minus_beta_1, one_minus_beta_2, epsilon;
  bool amsgrad;
};

struct RmspropFactors {
  float learning_rate, rho, one_minus_rho, momentum, epsilon;
  bool has_momentum, centered;
};

struct AdagradFactors {
  float learning_rate, epsilon;
};

struct Table {
  void (*sgd)(const SgdFactors&, const DecayFactors&, const ClipFactors&, const Segment&);
  void (*adam)(const AdamFactors&, const DecayFactors&, const ClipFactors&, const Segment&);
  void (*rmsprop)(const RmspropFactors&, const DecayFactors&, const ClipFactors&, const Segment&);
  void (*adagrad)(const AdagradFactors&, const DecayFactors&, const ClipFactors&, const Segment&);
  SumSquaresKernel sum_squares;
};

const Table& reference();
const Table& avx2_fma();

}  // namespace optimizer_kernels

}  // namespace kernas
