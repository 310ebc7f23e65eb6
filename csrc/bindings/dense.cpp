#include "common.h"
#include "kernas/ops/dense.h"

namespace kernas::bindings {
namespace {

void dense_forward(const InputArray& x, const InputArray& kernel, const std::optional<InputArray>& bias,
                   const ActivationSpec& activation, py::array& y) {
  require_ndim(x, 2, "x");
  require_ndim(kernel, 2, "kernel");
  const int64_t batch = x.shape(0), in = x.shape(1), out = kernel.shape(1);
  require_shape(kernel, {in, out}, "kernel");
  float* y_data = layer_output(y, {batch, out}, x, kernel, bias, out);
  const float* bias_data = bias ? bias->data() : nullptr;
  const float *x_data = x.data(), *kernel_data = kernel.data();
  py::gil_scoped_release release;
  kernas::dense_forward(batch, in, out, x_data, kernel_data, bias_data, activation, y_data);
}

void dense_backward(const InputArray& x, const InputArray& kernel, const InputArray& dz, std::optional<py::array> dx,
                    std::optional<py::array> dkernel, std::optional<py::array> dbias) {
  require_ndim(x, 2, "x");
  require_ndim(kernel, 2, "kernel");
  const int64_t batch = x.shape(0), in = x.shape(1), out = kernel.shape(1);
  require_shape(kernel, {in, out}, "kernel");
  require_shape(dz, {batch, out}, "dz");
  float* dx_data = optional_output(dx, {batch, in}, "dx");
  float* dkernel_data = optional_output(dkernel, {in, out}, "dkernel");
  float* dbias_data = optional_output(dbias, {out}, "dbias");
  for (const py::array* input : {static_cast<const py::array*>(&x), static_cast<const py::array*>(&kernel),
                                 static_cast<const py::array*>(&dz)}) {
    if (dx) require_disjoint(*dx, *input, "dx", "an input");
    if (dkernel) require_disjoint(*dkernel, *input, "dkernel", "an input");
    if (dbias) require_disjoint(*dbias, *input, "dbias", "an input");
  }
  const float *x_data = x.data(), *kernel_data = kernel.data(), *dz_data = dz.data();
  py::gil_scoped_release release;
  kernas::dense_backward(batch, in, out, x_data, kernel_data, dz_data, dx_data, dkernel_data, dbias_data);
}

}  // namespace

void bind_dense(py::module_& module) {
  module.def("dense_forward", &dense_forward, py::arg("x"), py::arg("kernel"), py::arg("bias"), py::arg("activation"),
             py::arg("y"), "y = activation(x @ kernel + bias), in place into y.");
  module.def("dense_backward", &dense_backward, py::arg("x"), py::arg("kernel"), py::arg("dz"), py::arg("dx"),
             py::arg("dkernel"), py::arg("dbias"),
             "Gradients of x @ kernel + bias from dz; each output may be None when not wanted.");
}

}  // namespace kernas::bindings
