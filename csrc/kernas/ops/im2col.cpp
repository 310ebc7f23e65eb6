#include "kernas/ops/im2col.h"

#include <cstring>

namespace kernas {
namespace {

// First output column whose tap at input column ow * stride + offset is >= 0,
// and one past the last whose tap is < width (either may lie outside [0, out_w]).
int64_t first_inside(int64_t offset, int64_t stride) { return offset >= 0 ? 0 : (stride - 1 - offset) / stride; }
int64_t end_inside(int64_t offset, int64_t stride, int64_t width) {
  return width - 1 - offset < 0 ? 0 : (width - 1 - offset) / stride + 1;
}

// Kernel rows at least this long are copied whole where they lie inside the
// input; shorter ones (one or two channels) go faster tap by tap.
constexpr int64_t kMinWholeRowFloats = 8;

// Runs at least this long are copied with memcpy; shorter ones by a plain loop.
constexpr int64_t kMemcpyFloats = 16;

int64_t clamp(int64_t value, int64_t low, int64_t high) { return value < low ? low : (value > high ? high : value); }

// Walks rows first .. first + count - 1 of the column matrix one kernel tap
// of one output row at a time, so that each call moves a whole strided block:
//   inside(col_offset, x_offset, rows, length): rows runs of `length` floats,
//     at col_offset + r * depth in col and x_offset + r * stride_w * in_c in x;
//   outside(col_offset, rows, length): the same runs in col, for taps that
//     fall into the padding.
// Offsets count from the start of row `first` of col and from the start of x.
template <typename Inside, typename Outside>
void for_each_block(const Conv2DGeometry& g, int64_t first, int64_t count, const Inside& inside,
                    const Outside& outside) {
  const int64_t c = g.in_c, depth = g.depth(), tap_row_floats = g.kernel_w * c;
  const int64_t last = first + count;
  for (int64_t pixel = first; pixel < last;) {
    const int64_t ow_begin = pixel % g.out_w, output_row = pixel / g.out_w;
    const int64_t oh = output_row % g.out_h, n = output_row / g.out_h;
    const int64_t ow_end = ow_begin + (last - pixel < g.out_w - ow_begin ? last - pixel : g.out_w - ow_begin);
    const int64_t rows = ow_end - ow_begin, segment = (pixel - first) * depth;
    for (int64_t kh = 0; kh < g.kernel_h; ++kh) {
      const int64_t ih = oh * g.stride_h - g.pad_top + kh * g.dilation_h;
      const int64_t kernel_row = segment + kh * tap_row_floats;
      if (ih < 0 || ih >= g.in_h) {
        outside(kernel_row, rows, tap_row_floats);
        continue;
      }
      const int64_t input_row = (n * g.in_h + ih) * g.in_w * c;
      // Where every tap of the kernel row reads inside the input, and the taps
      // are adjacent (no dilation), a pixel's whole kernel row is one run.
      int64_t whole_begin = ow_end, whole_end = ow_end;
      if (g.dilation_w == 1 && tap_row_floats >= kMinWholeRowFloats) {
        whole_begin = clamp(first_inside(-g.pad_left, g.stride_w), ow_begin, ow_end);
        whole_end = clamp(end_inside(g.kernel_w - 1 - g.pad_left, g.stride_w, g.in_w), whole_begin, ow_end);
        if (whole_end > whole_begin)
          inside(kernel_row + (whole_begin - ow_begin) * depth,
                 input_row + (whole_begin * g.stride_w - g.pad_left) * c, whole_end - whole_begin, tap_row_floats);
      }
      // The remaining pixels, [ow_begin, whole_begin) and [whole_end, ow_end), tap by tap.
      const auto by_tap = [&](int64_t begin, int64_t end) {
        for (int64_t kw = 0; kw < g.kernel_w && begin < end; ++kw) {
          const int64_t offset = kw * g.dilation_w - g.pad_left;  // input column = ow * stride_w + offset
          const int64_t tap = kernel_row + kw * c;
          const int64_t lo = clamp(first_inside(offset, g.stride_w), begin, end);
          const int64_t hi = clamp(end_inside(offset, g.stride_w, g.in_w), lo, end);
          if (lo > begin) outside(tap + (begin - ow_begin) * depth, lo - begin, c);
          if (hi > lo) inside(tap + (lo - ow_begin) * depth, input_row + (lo * g.stride_w + offset) * c, hi - lo, c);
          if (end > hi) outside(tap + (hi - ow_begin) * depth, end - hi, c);
        }
      };
      by_tap(ow_begin, whole_begin);
      by_tap(whole_end, ow_end);
    }
    pixel += rows;
  }
}

}  // namespace

void im2col(const Conv2DGeometry& g, const float* x, int64_t first, int64_t count, float* col) {
  const int64_t depth = g.depth(), x_step = g.stride_w * g.in_c;
  for_each_block(
      g, first, count,
      [&](int64_t to, int64_t from, int64_t rows, int64_t length) {
        float* dst = col + to;
        const float* src = x + from;
        if (length == 1) {
          for (int64_t r = 0; r < rows; ++r) dst[r * depth] = src[r * x_step];
        } else if (length >= kMemcpyFloats) {
          for (int64_t r = 0; r < rows; ++r)
            std::memcpy(dst + r * depth, src + r * x_step, static_cast<size_t>(length) * sizeof(float));
        } else {
          for (int64_t r = 0; r < rows; ++r)
            for (int64_t j = 0; j < length; ++j) dst[r * depth + j] = src[r * x_step + j];
        }
      },
      [&](int64_t to, int64_t rows, int64_t length) {
        float* dst = col + to;
        for (int64_t r = 0; r < rows; ++r)
          for (int64_t j = 0; j < length; ++j) dst[r * depth + j] = 0.0f;
      });
}

void col2im_add(const Conv2DGeometry& g, const float* col, int64_t first, int64_t count, float* dx) {
  const int64_t depth = g.depth(), x_step = g.stride_w * g.in_c;
  for_each_block(
      g, first, count,
      [&](int64_t from, int64_t to, int64_t rows, int64_t length) {
        float* dst = dx + to;
        const float* src = col + from;
        if (length == 1) {
          for (int64_t r = 0; r < rows; ++r) dst[r * x_step] += src[r * depth];
          return;
        }
        for (int64_t r = 0; r < rows; ++r)
          for (int64_t j = 0; j < length; ++j) dst[r * x_step + j] += src[r * depth + j];
      },
      [](int64_t, int64_t, int64_t) {});
}

}  // namespace kernas
