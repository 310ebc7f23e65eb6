// Keras's activations, forward and backward, on float32 arrays.
#pragma once

#include <cstdint>
#include <limits>

namespace kernas {

enum class ActivationKind : int {
  Linear,
  Relu,         // Keras relu(x, negative_slope, max_value, threshold)
  LeakyRelu,    // slope: negative_slope
  Elu,          // alpha
  Selu,
  Sigmoid,
  Tanh,
  Softmax,      // over the last axis (the `cols` of a rows x cols array)
  LogSoftmax,   // over the last axis
  Softplus,
  Softsign,
  Silu,         // also Keras's swish
  Gelu,         // exact (erf)
  GeluTanh,     // Keras gelu(approximate=True)
  HardSigmoid,  // Keras 3: relu6(x + 3) / 6
  Exponential,
};

struct ActivationSpec {
  ActivationKind kind = ActivationKind::Linear;
  float negative_slope = 0.0f;                                 // Relu, LeakyRelu
  float max_value = std::numeric_limits<float>::infinity();  // Relu (infinity: no cap)
  float threshold = 0.0f;                                      // Relu
  float alpha = 1.0f;                                          // Elu
};

// Softmax and LogSoftmax mix a whole row; every other kind maps each element alone.
bool activation_is_elementwise(ActivationKind kind);

// Which saved tensors activation_backward reads: the forward input x, the
// forward output y, or both. A layer keeps only what is needed. Plain relu
// and a leaky relu with a non-negative slope give y the sign of x, so their
// gradient reads y: a layer that fuses them into its GEMM keeps only y.
struct ActivationNeeds {
  bool input;
  bool output;
};
ActivationNeeds activation_backward_needs(const ActivationSpec& spec);

// y = f(x) for a rows x cols row-major array (rows * cols elements; `cols` is
// the axis softmax runs over). y may be x (in place).
void activation_forward(const ActivationSpec& spec, int64_t rows, int64_t cols, const float* x, float* y);

// dx = dL/dx given dy = dL/dy. x or y may be null when activation_backward_needs
// says it is not read. dx may be dy (in place).
void activation_backward(const ActivationSpec& spec, int64_t rows, int64_t cols, const float* x, const float* y,
                         const float* dy, float* dx);

// The GEMM epilogue's entry: f applied in place to `count` contiguous
// elements, single-threaded (the caller already owns the memory). Only for
// elementwise kinds.
void activation_forward_inplace_serial(const ActivationSpec& spec, int64_t count, float* data);

}  // namespace kernas
