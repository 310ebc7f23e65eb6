#include "kernas/ops/pool2d.h"

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

#include "kernas/cpu_features.h"
#include "kernas/parallel.h"

namespace kernas {
namespace {

// Elements read or written per thread below which a second thread costs more than it saves.
constexpr int64_t kElementsPerThread = 1 << 15;

const pool2d_kernels::Table& kernels() {
  return active_arch() == Arch::Avx2Fma ? pool2d_kernels::avx2_fma() : pool2d_kernels::reference();
}

// Rows of `elements_per_row` elements each, at least kElementsPerThread per thread.
int64_t grain_rows(int64_t elements_per_row) {
  if (elements_per_row >= kElementsPerThread) return 1;
  return kElementsPerThread / (elements_per_row > 0 ? elements_per_row : 1);
}

void require_positive(int64_t value, const char* name) {
  if (value <= 0)
    throw std::invalid_argument(std::string("Expected ") + name + " to be a positive integer. Received: " + name +
                                "=" + std::to_string(value) + ".");
}

// One axis of the window: output size and padding before, by TensorFlow's rules.
void axis_geometry(int64_t in, int64_t pool, int64_t stride, bool same, const char* axis, int64_t& out,
                   int64_t& pad_before) {
  if (same) {
    out = (in + stride - 1) / stride;
    const int64_t pad_total = (out - 1) * stride + pool - in;
    pad_before = pad_total > 0 ? pad_total / 2 : 0;
    return;
  }
  if (pool > in)
    throw std::invalid_argument(std::string("Expected the pool's ") + axis + " (" + std::to_string(pool) +
                                ") to be at most the input's " + axis + " (" + std::to_string(in) +
                                ") with padding='valid'. Use a smaller pool or padding='same'.");
  out = (in - pool) / stride + 1;
  pad_before = 0;
}

void require_int32_positions(int64_t height, int64_t width) {
  if (height > std::numeric_limits<int32_t>::max() / width)
    throw std::invalid_argument(
        "Expected at most 2^31 - 1 positions per image (arg-max indices are int32). Received: " +
        std::to_string(height) + " x " + std::to_string(width) + ".");
}

}  // namespace

Pool2dGeometry pool2d_geometry(int64_t batch, int64_t height, int64_t width, int64_t channels, int64_t pool_h,
                               int64_t pool_w, int64_t stride_h, int64_t stride_w, bool same_padding) {
  if (batch < 0 || channels < 0)
    throw std::invalid_argument("Expected a non-negative batch and channel count. Received: batch=" +
                                std::to_string(batch) + ", channels=" + std::to_string(channels) + ".");
  require_positive(height, "height");
  require_positive(width, "width");
  require_positive(pool_h, "pool_h");
  require_positive(pool_w, "pool_w");
  require_positive(stride_h, "stride_h");
  require_positive(stride_w, "stride_w");
  require_int32_positions(height, width);
  Pool2dGeometry g{batch, height, width, channels, pool_h, pool_w, stride_h, stride_w, 0, 0, 0, 0};
  axis_geometry(height, pool_h, stride_h, same_padding, "height", g.out_h, g.pad_top);
  axis_geometry(width, pool_w, stride_w, same_padding, "width", g.out_w, g.pad_left);
  return g;
}

void max_pool2d_forward(const Pool2dGeometry& g, const float* x, float* y, int32_t* indices) {
  if (g.channels == 0) return;
  const auto& table = kernels();
  parallel_for(
      g.batch * g.out_h, grain_rows(g.out_w * g.channels * (g.pool_h * g.pool_w + 1)),
      [&](int64_t first, int64_t last) { table.max_forward(g, x, y, indices, first, last); }, 1);
}

void max_pool2d_backward(const Pool2dGeometry& g, const float* dy, const int32_t* indices, float* dx) {
  if (g.channels == 0) return;
  const auto& table = kernels();
  parallel_for(
      g.batch * g.height, grain_rows(g.width * g.channels * 2),
      [&](int64_t first, int64_t last) { table.max_backward(g, dy, indices, dx, first, last); }, 1);
}

void avg_pool2d_forward(const Pool2dGeometry& g, const float* x, float* y) {
  if (g.channels == 0) return;
  const auto& table = kernels();
  parallel_for(
      g.batch * g.out_h, grain_rows(g.out_w * g.channels * (g.pool_h * g.pool_w + 1)),
      [&](int64_t first, int64_t last) { table.avg_forward(g, x, y, first, last); }, 1);
}

void avg_pool2d_backward(const Pool2dGeometry& g, const float* dy, float* dx) {
  if (g.channels == 0) return;
  const auto& table = kernels();
  parallel_for(
      g.batch * g.height, grain_rows(g.width * g.channels * 2),
      [&](int64_t first, int64_t last) { table.avg_backward(g, dy, dx, first, last); }, 1);
}

void global_avg_pool2d_forward(int64_t batch, int64_t height, int64_t width, int64_t channels, const float* x,
                               float* y) {
  if (channels == 0) return;
  const int64_t positions = height * width;
  const auto& table = kernels();
  parallel_for(
      batch, grain_rows(positions * channels),
      [&](int64_t first, int64_t last) { table.global_avg_forward(positions, channels, x, y, first, last); }, 1);
}

void global_avg_pool2d_backward(int64_t batch, int64_t height, int64_t width, int64_t channels, const float* dy,
                                float* dx) {
  if (channels == 0) return;
  const int64_t positions = height * width;
  const auto& table = kernels();
  parallel_for(
      batch * positions, grain_rows(channels),
      [&](int64_t first, int64_t last) { table.global_avg_backward(positions, channels, dy, dx, first, last); }, 1);
}

void global_max_pool2d_forward(int64_t batch, int64_t height, int64_t width, int64_t channels, const float* x,
                               float* y, int32_t* indices) {
  if (channels == 0) return;
  const int64_t positions = height * width;
  const auto& table = kernels();
  parallel_for(
      batch, grain_rows(positions * channels),
      [&](int64_t first, int64_t last) { table.global_max_forward(positions, channels, x, y, indices, first, last); },
      1);
}

void global_max_pool2d_backward(int64_t batch, int64_t height, int64_t width, int64_t channels, const float* dy,
                                const int32_t* indices, float* dx) {
  if (channels == 0) return;
  const int64_t positions = height * width;
  const auto& table = kernels();
  parallel_for(
      batch * positions, grain_rows(channels),
      [&](int64_t first, int64_t last) {
        table.global_max_backward(positions, channels, dy, indices, dx, first, last);
      },
      1);
}

}  // namespace kernas
