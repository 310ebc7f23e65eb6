// Conv2D: y = f(conv(x, kernel) + bias) in Keras's layouts (NHWC input and
// output, HWIO kernel), forward and gradients.
#pragma once

#include <cstdint>

#include "kernas/ops/activations.h"

namespace kernas {

enum class Conv2DPadding { Valid, Same };

// Every size of one convolution. Output pixel (n, oh, ow) reads input rows
// oh * stride_h - pad_top + kh * dilation_h (and likewise columns); reads
// outside the input see zeros.
struct Conv2DGeometry {
  int64_t batch, in_h, in_w, in_c;
  int64_t kernel_h, kernel_w, out_c;
  int64_t stride_h, stride_w;
  int64_t dilation_h, dilation_w;
  int64_t pad_top, pad_left;
  int64_t out_h, out_w;

  // Rows of the column matrix: one per output pixel of the whole batch.
  int64_t pixels() const { return batch * out_h * out_w; }
  // Columns of the column matrix: one per kernel tap and input channel.
  int64_t depth() const { return kernel_h * kernel_w * in_c; }
};

// The geometry by Keras's (TensorFlow's) rules: 'valid' gives
// out = floor((in - span) / stride) + 1 where span = (k - 1) * dilation + 1
// (zero or less when the input is smaller than the span: the caller rejects
// that); 'same' gives out = ceil(in / stride) and pads
// max((out - 1) * stride + span - in, 0) in total, half of it (rounded down)
// before and the rest after.
Conv2DGeometry conv2d_geometry(int64_t batch, int64_t in_h, int64_t in_w, int64_t in_c, int64_t kernel_h,
                               int64_t kernel_w, int64_t out_c, int64_t stride_h, int64_t stride_w,
                               int64_t dilation_h, int64_t dilation_w, Conv2DPadding padding);

// x: batch x in_h x in_w x in_c, kernel: kernel_h x kernel_w x in_c x out_c,
// bias: out_c floats or null, y: batch x out_h x out_w x out_c. Every size of
// g must be at least 1 (batch may be 0). Im2col + GEMM over tiles of output
// pixels, whose column matrix stays in cache; the bias is added in the GEMM's
// epilogue and the activation (softmax kinds: over each pixel's channels)
// runs over each tile while it is still in cache.
void conv2d_forward(const Conv2DGeometry& g, const float* x, const float* kernel, const float* bias,
                    const ActivationSpec& activation, float* y);

// Gradients from dz = dL/dz, z = conv(x, kernel) + bias (the gradient before
// the activation), same shape as y: dx like x, dkernel like kernel, dbias
// out_c floats. Pass null for any gradient not wanted; x is read only for
// dkernel and kernel only for dx. dkernel = col^T dz and dx = col2im(dz
// kernel^T), tile by tile; results are bitwise the same for any thread count.
void conv2d_backward(const Conv2DGeometry& g, const float* x, const float* kernel, const float* dz, float* dx,
                     float* dkernel, float* dbias);

// The same gradients from dy = dL/dy at the forward's output y = f(z) and y
// itself: dz = dy * f'(z) is formed tile by tile while the tile is in cache,
// never as a whole array, and the results are bitwise those of
// activation_backward over the whole of dy followed by the call above. Only
// for activations whose gradient reads y alone (activation_backward_needs(
// activation).input is false; throws std::invalid_argument otherwise). With a
// linear activation, y is not read and dy is dz.
void conv2d_backward(const Conv2DGeometry& g, const float* x, const float* kernel, const float* y, const float* dy,
                     const ActivationSpec& activation, float* dx, float* dkernel, float* dbias);

}  // namespace kernas
