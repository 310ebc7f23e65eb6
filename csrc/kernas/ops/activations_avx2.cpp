// The activation kernels for AVX2 CPUs: the same activations_kernels.inc,
// vectorised 8 floats wide (this file is compiled with -mavx2 -mfma; no FMA is
// formed, -ffp-contract=off, so the bits equal the reference kernels').
#include "kernas/ops/activations_kernels.h"
#include "kernas/ops/activations_kernels.inc"

namespace kernas::activation_kernels {

const KernelSet kAvx2Kernels{forward_elementwise, backward_elementwise, softmax_forward, softmax_backward};

}  // namespace kernas::activation_kernels
