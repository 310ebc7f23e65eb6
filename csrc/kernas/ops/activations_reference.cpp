// The portable activation kernels: activations_kernels.inc for any x86-64 CPU.
#include "kernas/ops/activations_kernels.h"
#include "kernas/ops/activations_kernels.inc"

namespace kernas::activation_kernels {

const KernelSet kReferenceKernels{forward_elementwise, backward_elementwise, softmax_forward, softmax_backward};

}  // namespace kernas::activation_kernels
