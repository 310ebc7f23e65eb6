#include "kernas/gemm/blocking.h"

namespace kernas::gemm {

namespace {

// Swept on AMD Zen 3 (32 KiB L1d, 512 KiB L2 per core) with bench/gemm_bench.
constexpr GemmTuning kAvx2Fma{microkernel_avx2_fma, pack_a_avx2_fma, pack_b_avx2_fma, 144, 320, 4080, 256, 64, 64,
                               1 << 17, 1 << 16, 4, 8};

// The reference kernel is for correctness; modest blocks keep it cache-friendly.
constexpr GemmTuning kReference{microkernel_reference, pack_a, pack_b, 72, 256, 1024, 256, 64, 24, 1 << 18, 1 << 16,
                                 1, 8};

}  // namespace

const GemmTuning& gemm_tuning(Arch arch) { return arch == Arch::Avx2Fma ? kAvx2Fma : kReference; }

int64_t depth_block(const GemmTuning& tuning, int64_t k) {
  const int64_t blocks = (k + tuning.kc - 1) / tuning.kc;
  return (k + blocks - 1) / blocks;
}

}  // namespace kernas::gemm
