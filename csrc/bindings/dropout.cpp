#include <algorithm>
#include <string>

#include "common.h"
#include "kernas/ops/dropout.h"

namespace kernas::bindings {
namespace {

using Kernel = void (*)(int64_t, const float*, double, uint64_t, uint64_t, float*);

// out: same shape as x, float32, C-contiguous, writeable; x itself (in place) or disjoint from it.
void dropout(Kernel kernel, const InputArray& x, double rate, uint64_t seed, uint64_t step, py::array& out,
             const char* x_name, const char* out_name) {
  if (!(rate >= 0.0 && rate < 1.0))
    fail("Expected a dropout rate in [0, 1). Received: rate=" + std::to_string(rate) + ".");
  require_output(out, out_name);
  require_same_shape(out, x, out_name, x_name);
  require_same_or_disjoint(out, x, out_name, x_name);
  const int64_t count = x.size();
  const float* x_data = x.data();
  float* out_data = output_data(out);
  py::gil_scoped_release release;
  kernel(count, x_data, rate, seed, step, out_data);
}

}  // namespace

void bind_dropout(py::module_& module) {
  module.def(
      "dropout_forward",
      [](const InputArray& x, double rate, uint64_t seed, uint64_t step, py::array& y) {
        dropout(kernas::dropout_forward, x, rate, seed, step, y, "x", "y");
      },
      py::arg("x"), py::arg("rate"), py::arg("seed"), py::arg("step"), py::arg("y"),
      "y = x * keep / (1 - rate), keep drawn by Philox4x32-10 from (seed, step, element index).");
  module.def(
      "dropout_backward",
      [](const InputArray& dy, double rate, uint64_t seed, uint64_t step, py::array& dx) {
        dropout(kernas::dropout_backward, dy, rate, seed, step, dx, "dy", "dx");
      },
      py::arg("dy"), py::arg("rate"), py::arg("seed"), py::arg("step"), py::arg("dx"),
      "dx = dy through the mask of dropout_forward with the same (rate, seed, step).");
}

}  // namespace kernas::bindings
