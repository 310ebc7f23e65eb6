// The optimizer loops one float at a time, for any x86-64 CPU: always built,
// the kernel set the AVX2 one is tested against.
#include <cmath>

#include "kernas/ops/optimizers.h"

namespace kernas::optimizer_kernels {
namespace {
#include "kernas/ops/optimizers_kernels.inc"

constexpr Table kTable = kernel_table<ScalarLanes>();
}  // namespace

const Table& reference() { return kTable; }

}  // namespace kernas::optimizer_kernels
