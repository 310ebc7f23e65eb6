// The batch-normalization loops for any x86-64 CPU (SSE2, four channels per
// vector): always built, the kernel set the AVX2 one is tested against.
#include "kernas/ops/batch_norm.h"

namespace kernas::batch_norm_kernels {
namespace {

#include "kernas/ops/batch_norm_kernels.inc"

}  // namespace

const Table& reference() { return kTable; }

}  // namespace kernas::batch_norm_kernels
