// 2D pooling over NHWC float32 activations, forward and backward: max and
// average pooling with TensorFlow/Keras window rules, and global pooling.
#pragma once

#include <cstdint>

namespace kernas {

// Where the windows fall. Built by pool2d_geometry, which checks it; every
// pooling kernel below reads its sizes from here.
struct Pool2dGeometry {
  int64_t batch, height, width, channels;
  int64_t pool_h, pool_w, stride_h, stride_w;
  int64_t pad_top, pad_left;  // padding before the input; padding after is implied
  int64_t out_h, out_w;
};

// TensorFlow/Keras rules: 'valid' gives out = (in - pool) / stride + 1 and no
// padding; 'same' gives out = ceil(in / stride) and pads pad_total =
// max((out - 1) * stride + pool - in, 0), pad_total / 2 of it before. Throws
// std::invalid_argument for non-positive sizes, negative batch or channels, a
// 'valid' window larger than the input, or an image of 2^31 positions or
// more (arg-max indices are int32).
Pool2dGeometry pool2d_geometry(int64_t batch, int64_t height, int64_t width, int64_t channels, int64_t pool_h,
                               int64_t pool_w, int64_t stride_h, int64_t stride_w, bool same_padding);

// Padded positions take no part in any window: max ignores them and average
// divides by the number of input elements in the window. Every window holds
// at least one input element under both paddings.
//
// x: batch x height x width x channels; y and indices: batch x out_h x out_w x
// channels.

// y = the maximum of each window by TensorFlow's rule: scanning the window row
// by row, an element replaces the running maximum only if it compares
// greater. So ties go to the first maximum, and a NaN is never taken unless
// it is the window's first element (then nothing compares greater and the
// output is NaN). If indices is not null it receives, per output element, the
// position h * width + w of that maximum in its image.
void max_pool2d_forward(const Pool2dGeometry& g, const float* x, float* y, int32_t* indices);

// dx = the sum, over the windows whose recorded arg-max is this element, of
// their dy: gathered per input element in window order, so overlapping
// windows need no atomics and any thread count gives the same bits. An index
// outside its own window routes its gradient nowhere (never out of bounds).
void max_pool2d_backward(const Pool2dGeometry& g, const float* dy, const int32_t* indices, float* dx);

// y = (sum of the window's input elements, row by row) * (1 / their count):
// within an ulp of the division, which would cost more than the memory traffic.
void avg_pool2d_forward(const Pool2dGeometry& g, const float* x, float* y);

// dx = the sum, over the windows containing this element, of dy * (1 / count).
void avg_pool2d_backward(const Pool2dGeometry& g, const float* dy, float* dx);

// Global pooling over height x width: x is batch x height x width x channels,
// y / dy / indices are batch x channels. Average sums positions in row-major
// order then multiplies by 1 / (height * width); max follows
// max_pool2d_forward's rule and records h * width + w when indices is not null.
void global_avg_pool2d_forward(int64_t batch, int64_t height, int64_t width, int64_t channels, const float* x,
                               float* y);
void global_avg_pool2d_backward(int64_t batch, int64_t height, int64_t width, int64_t channels, const float* dy,
                                float* dx);
void global_max_pool2d_forward(int64_t batch, int64_t height, int64_t width, int64_t channels, const float* x,
                               float* y, int32_t* indices);
void global_max_pool2d_backward(int64_t batch, int64_t height, int64_t width, int64_t channels, const float* dy,
                                const int32_t* indices, float* dx);

// The loops of one kernel set over a range of rows, for the dispatcher in
// pool2d.cpp and the kernel-set files (pool2d_reference.cpp, pool2d_avx2.cpp).
namespace pool2d_kernels {

// The global kernels see the image as a 1 x (height * width) window.
struct Table {
  // Output rows [first, last) of batch * out_h.
  void (*max_forward)(const Pool2dGeometry& g, const float* x, float* y, int32_t* indices, int64_t first,
                      int64_t last);
  void (*avg_forward)(const Pool2dGeometry& g, const float* x, float* y, int64_t first, int64_t last);
  // Input rows [first, last) of batch * height.
  void (*max_backward)(const Pool2dGeometry& g, const float* dy, const int32_t* indices, float* dx, int64_t first,
                       int64_t last);
  void (*avg_backward)(const Pool2dGeometry& g, const float* dy, float* dx, int64_t first, int64_t last);
  // Images [first, last).
  void (*global_max_forward)(int64_t positions, int64_t channels, const float* x, float* y, int32_t* indices,
                             int64_t first, int64_t last);
  void (*global_avg_forward)(int64_t positions, int64_t channels, const float* x, float* y, int64_t first,
                             int64_t last);
  // Input positions [first, last) of batch * positions.
  void (*global_max_backward)(int64_t positions, int64_t channels, const float* dy, const int32_t* indices,
                              float* dx, int64_t first, int64_t last);
  void (*global_avg_backward)(int64_t positions, int64_t channels, const float* dy, float* dx, int64_t first,
                              int64_t last);
};

const Table& reference();
const Table& avx2_fma();

}  // namespace pool2d_kernels

}  // namespace kernas
