// The public activation entry points: pick the kernel set, split the work
// over threads. The loops themselves are in activations_kernels.inc.
#include "kernas/ops/activations.h"

#include <cmath>

#include "kernas/cpu_features.h"
#include "kernas/ops/activations_kernels.h"
#include "kernas/parallel.h"

namespace kernas {
namespace {

using activation_kernels::KernelSet;

const KernelSet& kernels() {
  return active_arch() == Arch::Avx2Fma ? activation_kernels::kAvx2Kernels : activation_kernels::kReferenceKernels;
}

bool is_row_wise(ActivationKind kind) { return kind == ActivationKind::Softmax || kind == ActivationKind::LogSoftmax; }

// Fewest elements worth a thread of their own (a thread's start costs a few
// microseconds): piecewise-linear kinds move memory at a fraction of a
// nanosecond per element, transcendental ones spend about a nanosecond.
int64_t element_grain(ActivationKind kind) {
  switch (kind) {
    case ActivationKind::Linear:
    case ActivationKind::Relu:
    case ActivationKind::LeakyRelu:
    case ActivationKind::Softsign:
    case ActivationKind::HardSigmoid: return int64_t{1} << 16;
    default: return int64_t{1} << 13;
  }
}

// Softmax splits whole rows; a thread gets rows holding at least this many elements.
int64_t row_grain(int64_t cols) {
  constexpr int64_t kElements = int64_t{1} << 13;
  return cols >= kElements ? 1 : kElements / (cols > 0 ? cols : 1);
}

// y > 0 exactly where x > 0, and the gradient depends on nothing else.
bool sign_of_input_in_output(const ActivationSpec& spec) {
  const bool plain_relu = spec.kind == ActivationKind::Relu && spec.negative_slope == 0.0f &&
                          spec.threshold == 0.0f && !(spec.max_value < INFINITY);
  return plain_relu || (spec.kind == ActivationKind::LeakyRelu && spec.negative_slope >= 0.0f);
}

}  // namespace

bool activation_is_elementwise(ActivationKind kind) { return !is_row_wise(kind); }

ActivationNeeds activation_backward_needs(const ActivationSpec& spec) {
  if (sign_of_input_in_output(spec)) return {false, true};
  switch (spec.kind) {
    case ActivationKind::Linear: return {false, false};
    case ActivationKind::Sigmoid:
    case ActivationKind::Tanh:
    case ActivationKind::Softmax:
    case ActivationKind::LogSoftmax:
    case ActivationKind::Exponential: return {false, true};
    default: return {true, false};
  }
}

void activation_forward(const ActivationSpec& spec, int64_t rows, int64_t cols, const float* x, float* y) {
  const KernelSet& set = kernels();
  if (is_row_wise(spec.kind)) {
    const bool log = spec.kind == ActivationKind::LogSoftmax;
    parallel_for(
        rows, row_grain(cols),
        [&](int64_t begin, int64_t end) { set.softmax_forward(log, end - begin, cols, x + begin * cols, y + begin * cols); },
        1);
    return;
  }
  parallel_for(rows * cols, element_grain(spec.kind),
               [&](int64_t begin, int64_t end) { set.forward(spec, end - begin, x + begin, y + begin); });
}

void activation_backward(const ActivationSpec& spec, int64_t rows, int64_t cols, const float* x, const float* y,
                         const float* dy, float* dx) {
  const KernelSet& set = kernels();
  if (is_row_wise(spec.kind)) {
    const bool log = spec.kind == ActivationKind::LogSoftmax;
    parallel_for(
        rows, row_grain(cols),
        [&](int64_t begin, int64_t end) {
          set.softmax_backward(log, end - begin, cols, y + begin * cols, dy + begin * cols, dx + begin * cols);
        },
        1);
    return;
  }
  // Only what activation_backward_needs names is read; the other may be null.
  if (sign_of_input_in_output(spec)) x = y;  // the kernel only asks "x > 0?"
  parallel_for(rows * cols, element_grain(spec.kind), [&](int64_t begin, int64_t end) {
    set.backward(spec, end - begin, x ? x + begin : nullptr, y ? y + begin : nullptr, dy + begin, dx + begin);
  });
}

void activation_forward_inplace_serial(const ActivationSpec& spec, int64_t count, float* data) {
  const KernelSet& set = kernels();
  if (is_row_wise(spec.kind)) {
    set.softmax_forward(spec.kind == ActivationKind::LogSoftmax, 1, count, data, data);  // one row
    return;
  }
  set.forward(spec, count, data, data);
}

}  // namespace kernas
