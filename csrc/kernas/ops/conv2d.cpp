#include "kernas/ops/conv2d.h"

#include <algorithm>
#include <optional>
#include <stdexcept>

#include "kernas/cpu_features.h"
#include "kernas/gemm/blocking.h"
#include "kernas/gemm/gemm.h"
#include "kernas/gemm/microkernel.h"
#include "kernas/gemm/pack.h"
#include "kernas/ops/im2col.h"
#include "kernas/ops/reduce.h"
#include "kernas/parallel.h"
#include "kernas/scratch.h"

namespace kernas {
namespace {

// One tile's column matrix, and its output: 256 KiB each, so that the column
// matrix stays in L2 beside the GEMM's packed weights while the GEMM sweeps
// it, and the output is still there for the activation.
constexpr int64_t kColumnFloats = 1 << 16;
// Work is cut into at least this many tiles when it is big enough, so that
// threads taking whole tiles end up with nearly equal shares.
constexpr int64_t kMinTiles = 16;
// But no tile is cut below this many output pixels, where the GEMM slows down.
constexpr int64_t kMinTileRows = 16 * gemm::kMR;
// The backward pass sums the weight gradient of at most this many groups of
// images, each on one thread, and keeps at most this many floats of partial
// sums for them.
constexpr int64_t kMaxGroups = 16;
constexpr int64_t kPartialFloats = 1 << 20;
// A GEMM operand shared by every tile is packed once per call when its packed
// panels fit in this many floats (half of L2).
constexpr int64_t kSharedPanelFloats = 1 << 16;
// Below this many multiply-adds a convolution runs on one thread.
constexpr int64_t kParallelMinMadds = 1 << 18;

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
int64_t round_up(int64_t a, int64_t b) { return ceil_div(a, b) * b; }

thread_local Scratch column_scratch;
thread_local Scratch partial_scratch;
thread_local Scratch shared_scratch;
thread_local Scratch gradient_scratch;

// A 1x1 kernel at stride 1 without padding reads x exactly as its column matrix.
bool input_is_column_matrix(const Conv2DGeometry& g) {
  return g.kernel_h == 1 && g.kernel_w == 1 && g.stride_h == 1 && g.stride_w == 1 && g.pad_top == 0 &&
         g.pad_left == 0;
}

// The fewest output pixels a tile should have: enough register rows for the
// GEMM to run at speed, and at least as many as the kernel has filters, so
// that where the GEMM packs the kernel for each tile, that costs less than the
// tile's column matrix.
int64_t min_tile_rows(const Conv2DGeometry& g) { return std::max(kMinTileRows, round_up(g.out_c, gemm::kMR)); }

// Output pixels per tile: a whole number of the GEMM's register rows, the
// column matrix and the output within kColumnFloats where min_tile_rows
// allows, and at least kMinTiles tiles when the tiles stay big. Depends on the
// geometry only, never on the thread count.
int64_t tile_rows(const Conv2DGeometry& g) {
  const int64_t fitting = kColumnFloats / std::max(g.depth(), g.out_c) / gemm::kMR * gemm::kMR;
  const int64_t spread = round_up(ceil_div(g.pixels(), kMinTiles), gemm::kMR);
  return std::max(min_tile_rows(g), std::min(fitting, spread));
}

// Runs work(unit, scratch, alone) for every unit in [0, units), each thread of
// a team taking one contiguous range of units in order, with its own `floats`
// of scratch. Small work, or a single unit, runs on the calling thread alone
// (alone: true), where the GEMMs inside may use the threads themselves; inside
// the team they get one thread each (OpenMP nesting is off).
template <typename Work>
void run_units(int64_t units, int64_t madds, int64_t floats, const Work& work) {
  const int64_t stride = round_up(floats, 16);
  const int threads = madds < kParallelMinMadds ? 1 : static_cast<int>(std::min<int64_t>(num_threads(), units));
  float* scratch = column_scratch.reserve(std::max(threads, 1) * stride);
  if (threads <= 1) {
    for (int64_t unit = 0; unit < units; ++unit) work(unit, scratch, true);
    return;
  }
  parallel_team(threads, [&](int member, int team) {
    const int64_t begin = units * member / team, end = units * (member + 1) / team;
    for (int64_t unit = begin; unit < end; ++unit) work(unit, scratch + member * stride, false);
  });
}

// The right-hand operand of every tile's GEMM, op(B) (k x n; B stored k x n,
// or n x k when transposed, ldb apart). Small enough, it is packed once here
// into the GEMM's micro-panels, and each tile's product is a plain sweep of the
// micro-kernel over them: the same arithmetic as sgemm, which would repack B
// for every tile. Larger, each tile calls sgemm (a transposed B on a row-major
// copy, which sgemm packs by plain row copies rather than a strided gather).
class SharedOperand {
 public:
  SharedOperand(bool transpose, int64_t k, int64_t n, const float* b, int64_t ldb)
      : tuning_(gemm::gemm_tuning(active_arch())), k_(k), n_(n), b_(b), ldb_(ldb), transposed_(transpose) {
    depth_ = gemm::depth_block(tuning_, k);  // sgemm's depth blocks, so the sums group alike
    const int64_t panels_floats = round_up(n, gemm::kNR) * k;
    if (panels_floats <= kSharedPanelFloats) {
      float* panels = shared_scratch.reserve(panels_floats);
      const int64_t rs = transpose ? 1 : ldb, cs = transpose ? ldb : 1;
      for (int64_t pc = 0; pc < k; pc += depth_)
        gemm::pack_b(std::min(depth_, k - pc), n, b + pc * rs, rs, cs, panels + pc * round_up(n, gemm::kNR));
      panels_ = panels;
    } else if (transpose) {
      float* copy = shared_scratch.reserve(k * n);
      transpose_into(k, n, b, ldb, copy);
      b_ = copy, ldb_ = n, transposed_ = false;
    }
  }

  // c (m x n, ldc apart) = a (m x k, row-major, lda apart) op(B), plus bias
  // (n floats) when not null. Called outside a team (alone), a large product
  // goes to sgemm, which can split it among threads, for the same bits.
  void multiply(int64_t m, const float* a, int64_t lda, float* c, int64_t ldc, const float* bias, bool alone) const {
    if (!panels_ || (alone && num_threads() > 1 && m * n_ * k_ >= kParallelMinMadds)) {
      sgemm(false, transposed_, m, n_, k_, 1.0f, a, lda, b_, ldb_, 0.0f, c, ldc, {bias});
      return;
    }
    const int64_t n_padded = round_up(n_, gemm::kNR);
    for (int64_t pc = 0; pc < k_; pc += depth_) {
      const int64_t kc = std::min(depth_, k_ - pc);
      const float* block = panels_ + pc * n_padded;
      // Each 6-row sliver of A stays in L1 while it meets every panel of B (in L2).
      for (int64_t i = 0; i < m; i += gemm::kMR) {
        const int rows = static_cast<int>(std::min<int64_t>(gemm::kMR, m - i));
        for (int64_t j = 0; j < n_; j += gemm::kNR) {
          const int cols = static_cast<int>(std::min<int64_t>(gemm::kNR, n_ - j));
          tuning_.kernel(kc, rows, cols, 1.0f, a + i * lda + pc, lda, 1, block + j * kc, gemm::kNR, true,
                         pc == 0 ? 0.0f : 1.0f, c + i * ldc + j, ldc);
        }
        if (bias && pc + kc >= k_)
          for (int r = 0; r < rows; ++r)
            for (int64_t j = 0; j < n_; ++j) c[(i + r) * ldc + j] += bias[j];
      }
    }
  }

 private:
  // out (rows x cols, row-major) = in^T, where in is cols x rows, ld apart; in
  // square blocks that stay in L1.
  static void transpose_into(int64_t rows, int64_t cols, const float* in, int64_t ld, float* out) {
    constexpr int64_t kBlock = 32;
    for (int64_t i0 = 0; i0 < rows; i0 += kBlock)
      for (int64_t j0 = 0; j0 < cols; j0 += kBlock)
        for (int64_t j = j0; j < std::min(cols, j0 + kBlock); ++j)
          for (int64_t i = i0; i < std::min(rows, i0 + kBlock); ++i) out[i * cols + j] = in[j * ld + i];
  }

  const gemm::GemmTuning& tuning_;
  int64_t k_, n_;
  const float* b_;  // op(B) for sgemm: B itself, or a row-major copy of a large transposed B
  int64_t ldb_;
  bool transposed_;
  int64_t depth_;
  const float* panels_ = nullptr;  // B packed in micro-panels, depth block by depth block; null when too large
};

// sums[j] += rows[r * cols + j] for r in order: one chain per column, the
// columns side by side in vector lanes (the pointers never alias).
void add_rows(int64_t count, int64_t cols, const float* __restrict rows, float* __restrict sums) {
  for (int64_t r = 0; r < count; ++r)
    for (int64_t j = 0; j < cols; ++j) sums[j] += rows[r * cols + j];
}

int64_t output_extent(int64_t in, int64_t kernel, int64_t stride, int64_t dilation, Conv2DPadding padding,
                      int64_t* pad_before) {
  const int64_t span = (kernel - 1) * dilation + 1;
  if (padding == Conv2DPadding::Valid) {
    *pad_before = 0;
    return in >= span ? (in - span) / stride + 1 : 0;
  }
  const int64_t out = ceil_div(in, stride);
  *pad_before = std::max<int64_t>((out - 1) * stride + span - in, 0) / 2;
  return out;
}

}  // namespace

Conv2DGeometry conv2d_geometry(int64_t batch, int64_t in_h, int64_t in_w, int64_t in_c, int64_t kernel_h,
                               int64_t kernel_w, int64_t out_c, int64_t stride_h, int64_t stride_w,
                               int64_t dilation_h, int64_t dilation_w, Conv2DPadding padding) {
  Conv2DGeometry g{batch,    in_h,       in_w,       in_c, kernel_h, kernel_w, out_c, stride_h,
                   stride_w, dilation_h, dilation_w, 0,    0,        0,        0};
  g.out_h = output_extent(in_h, kernel_h, stride_h, dilation_h, padding, &g.pad_top);
  g.out_w = output_extent(in_w, kernel_w, stride_w, dilation_w, padding, &g.pad_left);
  return g;
}

void conv2d_forward(const Conv2DGeometry& g, const float* x, const float* kernel, const float* bias,
                    const ActivationSpec& activation, float* y) {
  const int64_t pixels = g.pixels(), depth = g.depth(), out_c = g.out_c;
  if (pixels <= 0) return;
  const bool direct = input_is_column_matrix(g);
  const bool elementwise = activation_is_elementwise(activation.kind);
  const int64_t rows = tile_rows(g);
  // The bias goes in the GEMM's epilogue; the activation runs over the whole
  // tile right after, while it is still in L2: faster than the epilogue,
  // which would call it once for each 16-float row of each register tile.
  const SharedOperand weights(false, depth, out_c, kernel, out_c);
  const int64_t tiles = ceil_div(pixels, rows), scratch = direct ? 0 : rows * depth;
  run_units(tiles, pixels * depth * out_c, scratch, [&](int64_t tile, float* col, bool alone) {
    const int64_t first = tile * rows, count = std::min(rows, pixels - first);
    const float* columns = x + first * depth;
    if (!direct) {
      im2col(g, x, first, count, col);
      columns = col;
    }
    float* y_tile = y + first * out_c;
    weights.multiply(count, columns, depth, y_tile, out_c, bias, alone);
    if (!elementwise)
      activation_forward(activation, count, out_c, y_tile, y_tile);
    else if (activation.kind != ActivationKind::Linear)
      activation_forward_inplace_serial(activation, count * out_c, y_tile);
  });
}

void conv2d_backward(const Conv2DGeometry& g, const float* x, const float* kernel, const float* dz, float* dx,
                     float* dkernel, float* dbias) {
  conv2d_backward(g, x, kernel, nullptr, dz, ActivationSpec{}, dx, dkernel, dbias);
}

void conv2d_backward(const Conv2DGeometry& g, const float* x, const float* kernel, const float* y, const float* dy,
                     const ActivationSpec& activation, float* dx, float* dkernel, float* dbias) {
  if (activation_backward_needs(activation).input)
    throw std::invalid_argument("conv2d_backward: the activation's gradient needs its input, not only its output");
  const bool fused = activation.kind != ActivationKind::Linear;
  const int64_t pixels = g.pixels(), depth = g.depth(), out_c = g.out_c, weights = depth * out_c;
  if (pixels <= 0) {
    if (dx) std::fill(dx, dx + g.batch * g.in_h * g.in_w * g.in_c, 0.0f);
    if (dkernel) std::fill(dkernel, dkernel + weights, 0.0f);
    if (dbias) std::fill(dbias, dbias + out_c, 0.0f);
    return;
  }
  if (input_is_column_matrix(g)) {
    // Whole-matrix products: dz is needed as one array.
    const float* dz = dy;
    if (fused) {
      float* whole = gradient_scratch.reserve(pixels * out_c);
      activation_backward(activation, pixels, out_c, y, y, dy, whole);
      dz = whole;
    }
    if (dbias) sum_rows(pixels, out_c, dz, out_c, dbias);
    if (dkernel) sgemm(true, false, depth, out_c, pixels, 1.0f, x, depth, dz, out_c, 0.0f, dkernel, out_c);
    if (dx) sgemm(false, true, pixels, depth, out_c, 1.0f, dz, out_c, kernel, out_c, 0.0f, dx, depth);
    return;
  }
  if (!dx && !dkernel && !dbias) return;

  // Threads take whole groups of images: each owns its images' dx, so no two
  // add into the same element, and sums its own partial dkernel and dbias,
  // tile by tile in order. The partials are then added in group order. The
  // grouping depends on the sizes only, so the bits do not depend on the
  // thread count. A group holds at least a minimal tile's worth of pixels, and
  // the partials stay within kPartialFloats.
  const int64_t image_pixels = g.out_h * g.out_w, image_floats = g.in_h * g.in_w * g.in_c;
  int64_t max_groups = std::min(kMaxGroups, ceil_div(g.batch, ceil_div(min_tile_rows(g), image_pixels)));
  if (dkernel) max_groups = std::min(max_groups, std::max<int64_t>(1, kPartialFloats / weights));
  const int64_t images_per_group = ceil_div(g.batch, max_groups);
  const int64_t groups = ceil_div(g.batch, images_per_group);
  const int64_t partial_floats = (dkernel ? weights : 0) + (dbias ? out_c : 0);
  float* partials = groups > 1 ? partial_scratch.reserve((groups - 1) * partial_floats) : nullptr;

  // dcol = dz kernel^T, with the kernel prepared once for every tile.
  std::optional<SharedOperand> kernel_t;
  if (dx) kernel_t.emplace(true, out_c, depth, kernel, out_c);

  const int64_t rows = tile_rows(g);
  // Per member: the column matrix, then the tile's dz where the activation's gradient is applied here.
  const int64_t col_floats = round_up(rows * depth, 16), dz_floats = fused ? rows * out_c : 0;
  const int64_t madds = pixels * weights * ((dx ? 1 : 0) + (dkernel ? 1 : 0));
  run_units(groups, madds, col_floats + dz_floats, [&](int64_t group, float* col, bool alone) {
    float* dz_buffer = col + col_floats;
    const int64_t image0 = group * images_per_group, image1 = std::min(g.batch, image0 + images_per_group);
    if (dx) std::fill(dx + image0 * image_floats, dx + image1 * image_floats, 0.0f);
    float* group_partials = group == 0 ? nullptr : partials + (group - 1) * partial_floats;
    float* group_dkernel = group == 0 ? dkernel : group_partials;
    float* group_dbias = group == 0 ? dbias : group_partials + (dkernel ? weights : 0);
    if (dbias) std::fill(group_dbias, group_dbias + out_c, 0.0f);
    const int64_t begin = image0 * image_pixels, end = image1 * image_pixels;
    for (int64_t first = begin; first < end; first += rows) {
      const int64_t count = std::min(rows, end - first);
      const float* dz_tile = dy + first * out_c;
      if (fused) {
        activation_backward(activation, count, out_c, y + first * out_c, y + first * out_c, dz_tile, dz_buffer);
        dz_tile = dz_buffer;
      }
      if (dbias) add_rows(count, out_c, dz_tile, group_dbias);
      if (dkernel) {
        im2col(g, x, first, count, col);
        sgemm(true, false, depth, out_c, count, 1.0f, col, depth, dz_tile, out_c, first == begin ? 0.0f : 1.0f,
              group_dkernel, out_c);
      }
      if (dx) {
        kernel_t->multiply(count, dz_tile, out_c, col, depth, nullptr, alone);
        col2im_add(g, col, first, count, dx);
      }
    }
  });

  if (partials) {
    // Each group's partials hold its dkernel, then its dbias.
    const int64_t kernel_floats = dkernel ? weights : 0;
    parallel_for(partial_floats, 1 << 14, [&](int64_t begin, int64_t end) {
      for (int64_t group = 1; group < groups; ++group) {
        const float* partial = partials + (group - 1) * partial_floats;
        for (int64_t j = begin; j < std::min(end, kernel_floats); ++j) dkernel[j] += partial[j];
        for (int64_t j = std::max(begin, kernel_floats); j < end; ++j) dbias[j - kernel_floats] += partial[j];
      }
    });
  }
}

}  // namespace kernas
