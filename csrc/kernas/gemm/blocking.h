// Per-kernel-set GEMM tuning: cache blocking and the size thresholds that
// pick a strategy. Data, not code, so a new CPU gets a new row, not new loops.
#pragma once

#include <cstdint>

#include "kernas/cpu_features.h"
#include "kernas/gemm/microkernel.h"
#include "kernas/gemm/pack.h"

namespace kernas::gemm {

struct GemmTuning {
  MicroKernel kernel;
  PackA pack_a_block;
  PackB pack_b_block;
  int64_t mc;  // rows of the packed A block (L2 resident); a multiple of kMR
  int64_t kc;  // most depth of packed panels (an A and a B micro-panel in L1); k is split evenly
  int64_t nc;  // columns of the packed B panel (L3 resident); a multiple of kNR
  // A is packed only when its block is reused by more than this many columns
  // of C. Below, the kernel broadcasts from A in place and keeps each 6-row
  // sliver in L1 across the whole row of tiles, streaming B from L2; above,
  // B's panel outgrows L2, so a packed A block sits in L2 under B
  // micro-panels held in L1. A transposed A costs a cache line per depth step
  // when read in place (and aliases in L1 for power-of-two strides), so it
  // has a lower threshold.
  int64_t pack_a_min_n;
  int64_t pack_transposed_a_min_n;
  // A row-major B is packed only when reused by more than this many rows of C.
  int64_t pack_b_min_m;
  // Below this many multiply-adds (m * n * k) a GEMM runs on one thread.
  int64_t parallel_min_madds;
  // Threads splitting C by rows pack each B panel together once it holds this
  // many floats; smaller panels cost less to pack twice than the two barriers
  // per panel that sharing needs.
  int64_t share_b_min_floats;
  // The fewest rows a tile needs to run at the kernel's full rate (enough
  // independent accumulators to cover the multiply-add latency). A block
  // whose last tile would be thinner takes rows from the tile before it.
  int min_tile_rows;
  // The cost of packing one float, in multiply-adds of kernel time, for
  // weighing thread grids that pack different amounts (Zen 3: about half a
  // cycle a float, against 16 multiply-adds a cycle).
  int64_t pack_cost_madds;
};

const GemmTuning& gemm_tuning(Arch arch);

// Depth of the packed panels for an inner dimension k: at most tuning.kc,
// split evenly so that no block is a thin remainder (a k of 288 runs as one
// block, not 256 + 32). Whoever packs panels for the micro-kernel uses it, so
// their sums group the products as sgemm does.
int64_t depth_block(const GemmTuning& tuning, int64_t k);

}  // namespace kernas::gemm
