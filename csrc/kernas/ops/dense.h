// Dense (fully connected) layer: y = f(x W + b), Keras layouts.
#pragma once

#include <cstdint>

#include "kernas/ops/activations.h"

namespace kernas {

// x: batch x in, kernel: in x out (Keras's layout), bias: out floats or null,
// y: batch x out. Bias and an elementwise activation run in the GEMM's
// epilogue; softmax / log_softmax run over each row afterwards.
void dense_forward(int64_t batch, int64_t in, int64_t out, const float* x, const float* kernel, const float* bias,
                   const ActivationSpec& activation, float* y);

// Gradients from dz = dL/d(x W + b), the gradient before the activation:
// dx = dz W^T (batch x in), dkernel = x^T dz (in x out), dbias = column sums
// of dz. Pass null for any gradient not wanted.
void dense_backward(int64_t batch, int64_t in, int64_t out, const float* x, const float* kernel, const float* dz,
                    float* dx, float* dkernel, float* dbias);

}  // namespace kernas
