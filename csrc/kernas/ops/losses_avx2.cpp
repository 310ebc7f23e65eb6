// The softmax-row loops for AVX2 CPUs: the same losses_kernels.inc, vectorised
// 8 floats wide (this file is compiled with -mavx2 -mfma; no FMA is formed,
// -ffp-contract=off, so the bits equal the reference kernels').
#include "kernas/ops/losses_kernels.inc"

namespace kernas {

const SoftmaxRowKernels kSoftmaxRowKernelsAvx2{row_max, exp_shifted_sum, exp_nonpositive};

}  // namespace kernas
