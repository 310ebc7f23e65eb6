// The GEMM driver: BLIS/Goto loops around the micro-kernel, and the split of
// C into one rectangle per thread.
#include <algorithm>

#include "kernas/cpu_features.h"
#include "kernas/gemm/blocking.h"
#include "kernas/gemm/gemm.h"
#include "kernas/gemm/microkernel.h"
#include "kernas/gemm/pack.h"
#include "kernas/ops/activations.h"
#include "kernas/parallel.h"
#include "kernas/scratch.h"

namespace kernas {
namespace {

using gemm::GemmTuning;
using gemm::kMR;
using gemm::kNR;

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
int64_t round_up(int64_t a, int64_t b) { return ceil_div(a, b) * b; }

// How a block of `rows` rows is cut into register tiles: whole kMR-row tiles,
// except that a last tile thinner than the kernel's full-rate height shares
// the rows of the last two evenly (32 rows run as 6+6+6+6+4+4, not
// 6+6+6+6+6+2, whose 2-row tile takes as long as a 4-row one). Tile edges do
// not change the bits of C, only the time.
struct RowTiles {
  int64_t count;   // tiles
  int64_t split;   // height of the second-last tile when the last two share, else kMR
  RowTiles(int64_t rows, int min_rows) : count(ceil_div(rows, kMR)), split(kMR) {
    const int64_t last = rows - (count - 1) * kMR;
    if (count >= 2 && last < min_rows) split = (kMR + last + 1) / 2;
  }
  int64_t start(int64_t tile) const { return tile <= count - 2 ? tile * kMR : (count - 2) * kMR + split; }
  int64_t height(int64_t tile, int64_t rows) const {
    return tile < count - 2 ? kMR : tile == count - 2 ? split : rows - start(tile);
  }
};

// A matrix operand: element (i, j) at data[i * rs + j * cs].
struct Strided {
  const float* data;
  int64_t rs, cs;
  const float* at(int64_t i, int64_t j) const { return data + i * rs + j * cs; }
  // The same matrix seen from element (i, j) on.
  Strided from(int64_t i, int64_t j) const { return {at(i, j), rs, cs}; }
};

struct Workspace {
  float* a;  // room for one packed A block, or null
  float* b;  // room for one packed B panel, or null
};

// Who packs B's panels: the thread alone, or all `members` of a team that
// split C by rows and so need the same panels. Then each member packs a slice
// of the micro-panels into one shared buffer, instead of each packing them all.
struct PanelSharing {
  int member = 0;
  int members = 1;
};

bool has_work(const GemmEpilogue& epilogue) { return epilogue.bias || epilogue.activation; }

// The epilogue on the rows x cols block at c; bias already points at the block's first column.
void apply_epilogue(const GemmEpilogue& epilogue, int64_t rows, int64_t cols, float* c, int64_t ldc) {
  for (int64_t r = 0; r < rows; ++r) {
    float* row = c + r * ldc;
    if (epilogue.bias)
      for (int64_t j = 0; j < cols; ++j) row[j] += epilogue.bias[j];
    if (epilogue.activation) activation_forward_inplace_serial(*epilogue.activation, cols, row);
  }
}

GemmEpilogue shifted(const GemmEpilogue& epilogue, int64_t columns) {
  return {epilogue.bias ? epilogue.bias + columns : nullptr, epilogue.activation};
}

// One thread's share: C (m x n) = alpha * A B + beta * C with the five loops.
void gemm_share(const GemmTuning& tuning, int64_t m, int64_t n, int64_t k, float alpha, Strided a, Strided b,
                float beta, float* c, int64_t ldc, bool pack_a, bool pack_b, Workspace work, PanelSharing sharing,
                const GemmEpilogue& epilogue) {
  const bool epilogue_work = has_work(epilogue);
  const bool shared = sharing.members > 1;  // only ever asked for when B is packed
  const int64_t kc_block = gemm::depth_block(tuning, k);
  for (int64_t jc = 0; jc < n; jc += tuning.nc) {
    const int64_t nc = std::min(tuning.nc, n - jc);
    for (int64_t pc = 0; pc < k; pc += kc_block) {
      const int64_t kc = std::min(kc_block, k - pc);
      // Later depth blocks accumulate onto what the first one wrote.
      const float beta_block = pc == 0 ? beta : 1.0f;
      const bool last_block = pc + kc >= k;

      const float* b_panel = b.at(pc, jc);
      int64_t rs_b = b.rs, b_step = kNR;  // b_step: from one kNR-column micro-panel to the next
      if (pack_b) {
        const int64_t panels = ceil_div(nc, kNR);
        const int64_t q0 = panels * sharing.member / sharing.members;
        const int64_t q1 = panels * (sharing.member + 1) / sharing.members;
        if (q1 > q0)
          tuning.pack_b_block(kc, std::min(nc, q1 * kNR) - q0 * kNR, b_panel + q0 * kNR * b.cs, b.rs, b.cs,
                              work.b + q0 * kNR * kc);
        if (shared) team_barrier();  // the whole panel is packed
        b_panel = work.b, rs_b = kNR, b_step = kNR * kc;
      }

      for (int64_t ic = 0; ic < m; ic += tuning.mc) {
        const int64_t mc = std::min(tuning.mc, m - ic);
        const RowTiles rows(mc, tuning.min_tile_rows);
        const float* a_block = a.at(ic, pc);
        int64_t rs_a = a.rs, cs_a = a.cs;
        if (pack_a) {
          // One kMR-row micro-panel per tile, however many rows the tile has.
          const int64_t whole = std::max<int64_t>(0, rows.count - 2) * kMR;
          tuning.pack_a_block(rows.split == kMR ? mc : whole, kc, a_block, a.rs, a.cs, work.a);
          for (int64_t tile = whole / kMR; rows.split != kMR && tile < rows.count; ++tile)
            tuning.pack_a_block(rows.height(tile, mc), kc, a.at(ic + rows.start(tile), pc), a.rs, a.cs,
                                work.a + tile * kMR * kc);
          a_block = work.a, rs_a = 1, cs_a = kMR;
        }

        // A packed block is small and in L2, so sweep it under each B micro-panel
        // (which stays in L1). A read in place is the costlier stream, so then
        // keep each A micro-panel in L1 across the B micro-panels instead.
        const int64_t tiles_m = rows.count, tiles_n = ceil_div(nc, kNR);
        for (int64_t outer = 0; outer < (pack_a ? tiles_n : tiles_m); ++outer) {
          for (int64_t inner = 0; inner < (pack_a ? tiles_m : tiles_n); ++inner) {
            const int64_t i_tile = pack_a ? inner : outer, j_tile = pack_a ? outer : inner;
            const int64_t ir = rows.start(i_tile), jr = j_tile * kNR;
            const float* a_tile = pack_a ? a_block + i_tile * kMR * kc : a_block + ir * a.rs;
            tuning.kernel(kc, static_cast<int>(rows.height(i_tile, mc)),
                          static_cast<int>(std::min<int64_t>(kNR, nc - jr)), alpha, a_tile, rs_a, cs_a,
                          b_panel + j_tile * b_step, rs_b, pack_b, beta_block, c + (ic + ir) * ldc + jc + jr, ldc);
          }
        }
        // Once per finished block (still in L2), so the activation sees whole
        // rows rather than one call per 16-float tile row.
        if (last_block && epilogue_work) apply_epilogue(shifted(epilogue, jc), mc, nc, c + ic * ldc + jc, ldc);
      }
      if (shared) team_barrier();  // everyone is done with the panel before it is overwritten
    }
  }
}

// C = beta * C, without reading C when beta is 0 (BLAS semantics for k == 0 or alpha == 0).
void scale_c(int64_t m, int64_t n, float beta, float* c, int64_t ldc) {
  for (int64_t i = 0; i < m; ++i) {
    float* row = c + i * ldc;
    if (beta == 0.0f)
      std::fill(row, row + n, 0.0f);
    else
      for (int64_t j = 0; j < n; ++j) row[j] *= beta;
  }
}

// How C is cut into one rectangle per thread, and how each thread packs.
// Packing decisions depend on the largest share, never on which thread runs
// it, and packing never changes the arithmetic, only where operands are read.
struct Plan {
  int rows = 1, cols = 1;  // the thread grid
  bool pack_a = false, pack_b = false;
  bool share_b = false;  // the team of a row split packs each B panel together
};

// Kernel time of a rows x (n_tiles * kNR) x k share, in multiply-adds: a tile
// thinner than min_tile_rows takes as long as one of min_tile_rows.
int64_t compute_madds(const GemmTuning& tuning, int64_t rows, int64_t n_tiles, int64_t k) {
  const RowTiles tiles(rows, tuning.min_tile_rows);
  const int64_t whole = std::max<int64_t>(0, tiles.count - 2);  // tiles of kMR rows before the last two
  int64_t row_cost = whole * kMR;
  for (int64_t tile = whole; tile < tiles.count; ++tile)
    row_cost += std::max<int64_t>(tiles.height(tile, rows), tuning.min_tile_rows);
  return row_cost * n_tiles * kNR * k;
}

// The plan for a rows x cols grid, and the time its busiest thread takes, in
// multiply-adds. Kernel time, counting 1/16 more for a split of the columns:
// then every thread reads (or packs) all of A, a gather from rows far apart,
// where a split of the rows repeats only B's row copies. Plus the packing of
// B's panels that a thread does or waits for: a row split makes every thread
// pack them all, or, when the team shares them, pack a part and then fetch
// the rest from the other threads' caches after a barrier, which costs about
// as much. This is what keeps a short A (a small batch) from making each
// thread pack a whole transposed B for a few rows.
Plan plan_for(const GemmTuning& tuning, int rows, int cols, int64_t m, int64_t n, int64_t k, const Strided& a,
              const Strided& b, int64_t* cost) {
  Plan plan{rows, cols};
  const int64_t m_share = ceil_div(m, rows);
  const int64_t n_tiles = ceil_div(ceil_div(n, kNR), cols);
  const int64_t n_share = std::min(n, n_tiles * kNR);
  const int tasks = rows * cols;
  plan.pack_a = n_share > (a.cs == 1 ? tuning.pack_a_min_n : tuning.pack_transposed_a_min_n);
  // A row-major B whose rows lie at most kNR floats apart (a narrow output's
  // weights) is already as compact as a packed panel.
  plan.pack_b = b.cs != 1 || (m_share > tuning.pack_b_min_m && b.rs > kNR);
  plan.share_b = plan.pack_b && cols == 1 && tasks > 1 &&
                 std::min(tuning.nc, n) * gemm::depth_block(tuning, k) >= tuning.share_b_min_floats;
  const int64_t kernel = compute_madds(tuning, m_share, n_tiles, k);
  const int64_t b_packing = plan.pack_b ? tuning.pack_cost_madds * n_tiles * kNR * k : 0;
  *cost = (cols > 1 ? kernel + kernel / 16 : kernel) + b_packing;
  return plan;
}

// The grid whose busiest thread finishes first; among equals, fewer threads.
Plan choose_plan(const GemmTuning& tuning, int threads, int64_t m, int64_t n, int64_t k, const Strided& a,
                 const Strided& b) {
  int64_t best_cost = 0;
  Plan best = plan_for(tuning, 1, 1, m, n, k, a, b, &best_cost);
  const int64_t n_tiles = ceil_div(n, kNR);
  for (int rows = 1; rows <= threads && rows <= m; ++rows) {
    for (int cols = threads / rows; cols >= 1; --cols) {
      if (cols > n_tiles || rows * cols == 1) continue;
      int64_t cost = 0;
      const Plan plan = plan_for(tuning, rows, cols, m, n, k, a, b, &cost);
      if (cost < best_cost || (cost == best_cost && rows * cols < best.rows * best.cols)) {
        best = plan;
        best_cost = cost;
      }
    }
  }
  return best;
}

// Start of part `part` of `parts` near-equal parts of `count` items.
int64_t part_start(int64_t count, int parts, int part) { return count * part / parts; }

// Packing space for every task of one call, owned by the calling thread.
thread_local Scratch pack_arena;

}  // namespace

void sgemm(bool transpose_a, bool transpose_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
           int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc, const GemmEpilogue& epilogue) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0 || alpha == 0.0f) {
    scale_c(m, n, beta, c, ldc);
    if (has_work(epilogue)) apply_epilogue(epilogue, m, n, c, ldc);
    return;
  }

  const GemmTuning& tuning = gemm::gemm_tuning(active_arch());
  const Strided a_view{a, transpose_a ? 1 : lda, transpose_a ? lda : 1};
  const Strided b_view{b, transpose_b ? 1 : ldb, transpose_b ? ldb : 1};

  const int64_t n_tiles = ceil_div(n, kNR);
  const int threads = m * n * k < tuning.parallel_min_madds ? 1 : num_threads();
  const Plan plan = choose_plan(tuning, threads, m, n, k, a_view, b_view);
  const bool pack_a = plan.pack_a, pack_b = plan.pack_b, share_b = plan.share_b;
  const int64_t depth = gemm::depth_block(tuning, k);
  const int tasks = plan.rows * plan.cols;
  // Room for one A block and one B panel per task (one B panel when shared),
  // in whole cache lines so every packed panel starts 64-byte aligned. Sized
  // for the whole matrix, not the share, so one thread can run it all.
  const int64_t a_floats = pack_a ? round_up(round_up(std::min(tuning.mc, m), kMR) * depth, 16) : 0;
  const int64_t b_floats = pack_b ? round_up(round_up(std::min(tuning.nc, n), kNR) * depth, 16) : 0;
  float* arena = pack_arena.reserve(std::max<int64_t>(16, tasks * a_floats + (share_b ? 1 : tasks) * b_floats));
  float* b_arena = arena + tasks * a_floats;

  parallel_team(tasks, [&](int member, int team) {
    if (team != tasks) {  // OpenMP granted fewer threads: one of them does it all
      if (member == 0)
        gemm_share(tuning, m, n, k, alpha, a_view, b_view, beta, c, ldc, pack_a, pack_b, {arena, b_arena}, {},
                   epilogue);
      return;
    }
    const int row = member / plan.cols, col = member % plan.cols;
    // Rows split anywhere (tile edges do not change bits); columns at whole tiles.
    const int64_t m0 = part_start(m, plan.rows, row), m1 = part_start(m, plan.rows, row + 1);
    const int64_t n0 = part_start(n_tiles, plan.cols, col) * kNR;
    const int64_t n1 = std::min(n, part_start(n_tiles, plan.cols, col + 1) * kNR);
    const Workspace own{pack_a ? arena + member * a_floats : nullptr,
                        pack_b ? b_arena + (share_b ? 0 : member * b_floats) : nullptr};
    gemm_share(tuning, m1 - m0, n1 - n0, k, alpha, a_view.from(m0, 0), b_view.from(0, n0), beta, c + m0 * ldc + n0,
               ldc, pack_a, pack_b, own, share_b ? PanelSharing{member, tasks} : PanelSharing{},
               shifted(epilogue, n0));
  });
}

}  // namespace kernas
