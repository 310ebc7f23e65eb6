// The batch-normalization loops compiled with AVX2 (eight channels per
// vector): the same source as the reference set, the same bits.
#include "kernas/ops/batch_norm.h"

namespace kernas::batch_norm_kernels {
namespace {

#include "kernas/ops/batch_norm_kernels.inc"

}  // namespace

const Table& avx2_fma() { return kTable; }

}  // namespace kernas::batch_norm_kernels
