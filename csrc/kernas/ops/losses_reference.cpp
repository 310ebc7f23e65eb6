// The portable softmax-row loops: losses_kernels.inc for any x86-64 CPU.
#include "kernas/ops/losses_kernels.inc"

namespace kernas {

const SoftmaxRowKernels kSoftmaxRowKernelsReference{row_max, exp_shifted_sum, exp_nonpositive};

}  // namespace kernas
