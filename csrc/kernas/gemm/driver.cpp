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
          gemm::pack_b(kc, std::min(nc, q1 * kNR) - q0 * kNR, b_panel + q0 * kNR * b.cs, b.rs, b.cs,
                       work.b + q0 * kNR * kc);
        if (shared) team_barrier();  // the whole panel is packed
        b_panel = work.b, rs_b = kNR, b_step = kNR * kc;
      }

      for (int64_t ic = 0; ic < m; ic += tuning.mc) {
        const int64_t mc = std::min(tuning.mc, m - ic);
        const float* a_block = a.at(ic, pc);
        int64_t rs_a = a.rs, cs_a = a.cs, a_step = kMR * a.rs;
        if (pack_a) {
          tuning.pack_a_block(mc, kc, a_block, a.rs, a.cs, work.a);
          a_block = work.a, rs_a = 1, cs_a = kMR, a_step = kMR * kc;
        }

        // A packed block is small and in L2, so sweep it under each B micro-panel
        // (which stays in L1). A read in place is the costlier stream, so then
        // keep each A micro-panel in L1 across the B micro-panels instead.
        const int64_t tiles_m = ceil_div(mc, kMR), tiles_n = ceil_div(nc, kNR);
        for (int64_t outer = 0; outer < (pack_a ? tiles_n : tiles_m); ++outer) {
          for (int64_t inner = 0; inner < (pack_a ? tiles_m : tiles_n); ++inner) {
            const int64_t i_tile = pack_a ? inner : outer, j_tile = pack_a ? outer : inner;
            const int64_t ir = i_tile * kMR, jr = j_tile * kNR;
            tuning.kernel(kc, static_cast<int>(std::min<int64_t>(kMR, mc - ir)),
                          static_cast<int>(std::min<int64_t>(kNR, nc - jr)), alpha, a_block + i_tile * a_step, rs_a,
                          cs_a, b_panel + j_tile * b_step, rs_b, pack_b, beta_block, c + (ic + ir) * ldc + jc + jr, ldc);
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

// How C's tiles are cut into one rectangle per thread.
struct ThreadGrid {
  int rows = 1, cols = 1;
};

// The grid that gives the busiest thread the fewest tiles, where a split of
// the columns counts 1/16 more: it makes every thread pack the same rows of A
// (a gather), where a split of the rows repeats only B's row copies. Among
// equals, fewer threads.
ThreadGrid choose_grid(int threads, int64_t m_tiles, int64_t n_tiles) {
  ThreadGrid best;
  double best_cost = static_cast<double>(m_tiles * n_tiles);
  for (int rows = 1; rows <= threads && rows <= m_tiles; ++rows) {
    for (int cols = threads / rows; cols >= 1; --cols) {
      if (cols > n_tiles) continue;
      const double load = static_cast<double>(ceil_div(m_tiles, rows) * ceil_div(n_tiles, cols));
      const double cost = cols > 1 ? load * (1.0 + 1.0 / 16) : load;
      if (cost < best_cost || (cost == best_cost && rows * cols < best.rows * best.cols)) {
        best = {rows, cols};
        best_cost = cost;
      }
    }
  }
  return best;
}

// Start of part `part` of `parts` near-equal parts of `tiles` tiles, in elements.
int64_t part_start(int64_t tiles, int parts, int part, int64_t tile) { return tiles * part / parts * tile; }

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

  const int64_t m_tiles = ceil_div(m, kMR), n_tiles = ceil_div(n, kNR);
  const int threads = m * n * k < tuning.parallel_min_madds ? 1 : num_threads();
  const ThreadGrid grid = choose_grid(threads, m_tiles, n_tiles);

  // Packing decisions depend on the largest share, never on which thread runs
  // it, and packing never changes the arithmetic, only where operands are read.
  const int64_t m_share = std::min(m, ceil_div(m_tiles, grid.rows) * kMR);
  const int64_t n_share = std::min(n, ceil_div(n_tiles, grid.cols) * kNR);
  const bool pack_a = n_share > (a_view.cs == 1 ? tuning.pack_a_min_n : tuning.pack_transposed_a_min_n);
  // A row-major B whose rows lie at most kNR floats apart (a narrow output's
  // weights) is already as compact as a packed panel.
  const bool pack_b = b_view.cs != 1 || (m_share > tuning.pack_b_min_m && b_view.rs > kNR);
  const int64_t depth = gemm::depth_block(tuning, k);

  // A team that splits only rows packs each big B panel once, together.
  const int tasks = grid.rows * grid.cols;
  const bool share_b =
      pack_b && grid.cols == 1 && tasks > 1 && std::min(tuning.nc, n) * depth >= tuning.share_b_min_floats;
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
    const int row = member / grid.cols, col = member % grid.cols;
    const int64_t m0 = part_start(m_tiles, grid.rows, row, kMR);
    const int64_t m1 = std::min(m, part_start(m_tiles, grid.rows, row + 1, kMR));
    const int64_t n0 = part_start(n_tiles, grid.cols, col, kNR);
    const int64_t n1 = std::min(n, part_start(n_tiles, grid.cols, col + 1, kNR));
    const Workspace own{pack_a ? arena + member * a_floats : nullptr,
                        pack_b ? b_arena + (share_b ? 0 : member * b_floats) : nullptr};
    gemm_share(tuning, m1 - m0, n1 - n0, k, alpha, a_view.from(m0, 0), b_view.from(0, n0), beta, c + m0 * ldc + n0,
               ldc, pack_a, pack_b, own, share_b ? PanelSharing{member, tasks} : PanelSharing{},
               shifted(epilogue, n0));
  });
}

}  // namespace kernas
