#include <array>
#include <limits>
#include <string>

#include "common.h"
#include "kernas/ops/conv2d.h"

namespace kernas::bindings {
namespace {

using Pair = std::array<int64_t, 2>;

std::string pair_text(const Pair& pair) { return "(" + std::to_string(pair[0]) + ", " + std::to_string(pair[1]) + ")"; }

// Checks x, kernel and the hyperparameters and returns the geometry they make.
Conv2DGeometry checked_geometry(const py::array& x, const py::array& kernel, const Pair& strides,
                                const std::string& padding, const Pair& dilation_rate) {
  require_ndim(x, 4, "x");
  require_ndim(kernel, 4, "kernel");
  for (int d = 1; d < 4; ++d)
    if (x.shape(d) < 1)
      fail("Expected `x` to have at least 1 row, column and channel. Received: x.shape=" + shape_text(x) + ".");
  for (int d = 0; d < 4; ++d)
    if (kernel.shape(d) < 1)
      fail("Expected every dimension of `kernel` to be at least 1. Received: kernel.shape=" + shape_text(kernel) + ".");
  if (kernel.shape(2) != x.shape(3))
    fail("Expected the kernel's input channels (kernel.shape[2]) to equal x's channels (x.shape[3]). Received: "
         "x.shape=" + shape_text(x) + ", kernel.shape=" + shape_text(kernel) + ".");
  if (padding != "valid" && padding != "same")
    fail("Expected padding 'valid' or 'same'. Received: padding='" + padding + "'.");
  for (int d = 0; d < 2; ++d) {
    if (strides[d] < 1) fail("Expected strides of at least 1. Received: strides=" + pair_text(strides) + ".");
    if (dilation_rate[d] < 1)
      fail("Expected dilation rates of at least 1. Received: dilation_rate=" + pair_text(dilation_rate) + ".");
    // The dilated kernel's span must fit an int64 with room to spare.
    if (dilation_rate[d] > std::numeric_limits<int64_t>::max() / 4 / kernel.shape(d))
      fail("Expected a dilated kernel span below 2**61. Received: dilation_rate=" + pair_text(dilation_rate) +
           ", kernel.shape=" + shape_text(kernel) + ".");
  }
  const Conv2DGeometry g = conv2d_geometry(
      x.shape(0), x.shape(1), x.shape(2), x.shape(3), kernel.shape(0), kernel.shape(1), kernel.shape(3), strides[0],
      strides[1], dilation_rate[0], dilation_rate[1], padding == "same" ? Conv2DPadding::Same : Conv2DPadding::Valid);
  if (g.out_h < 1 || g.out_w < 1)
    fail("Expected an input at least as large as the dilated kernel with padding='valid'. Received: x.shape=" +
         shape_text(x) + ", kernel.shape=" + shape_text(kernel) + ", dilation_rate=" + pair_text(dilation_rate) + ".");
  return g;
}

void conv2d_forward(const InputArray& x, const InputArray& kernel, const std::optional<InputArray>& bias,
                    const Pair& strides, const std::string& padding, const Pair& dilation_rate,
                    const ActivationSpec& activation, py::array& y) {
  const Conv2DGeometry g = checked_geometry(x, kernel, strides, padding, dilation_rate);
  float* y_data = layer_output(y, {g.batch, g.out_h, g.out_w, g.out_c}, x, kernel, bias, g.out_c);
  const float* bias_data = bias ? bias->data() : nullptr;
  const float *x_data = x.data(), *kernel_data = kernel.data();
  py::gil_scoped_release release;
  kernas::conv2d_forward(g, x_data, kernel_data, bias_data, activation, y_data);
}

void conv2d_backward(const InputArray& x, const InputArray& kernel, const InputArray& dz, const Pair& strides,
                     const std::string& padding, const Pair& dilation_rate, std::optional<py::array> dx,
                     std::optional<py::array> dkernel, std::optional<py::array> dbias, const ActivationSpec& activation,
                     const std::optional<InputArray>& y) {
  const Conv2DGeometry g = checked_geometry(x, kernel, strides, padding, dilation_rate);
  require_shape(dz, {g.batch, g.out_h, g.out_w, g.out_c}, "dz");
  const bool linear = activation.kind == ActivationKind::Linear;
  if (!linear && activation_backward_needs(activation).input)
    fail("Expected an activation whose gradient is computed from its output (relu, sigmoid, tanh, softmax, ...). "
         "Apply activation_backward first and pass its result as `dz` with the linear activation.");
  if (!linear && !y) fail("Expected `y`, the forward output, with a non-linear activation. Received: y=None.");
  if (!linear) require_shape(*y, {g.batch, g.out_h, g.out_w, g.out_c}, "y");
  float* dx_data = optional_output(dx, {g.batch, g.in_h, g.in_w, g.in_c}, "dx");
  float* dkernel_data = optional_output(dkernel, {g.kernel_h, g.kernel_w, g.in_c, g.out_c}, "dkernel");
  float* dbias_data = optional_output(dbias, {g.out_c}, "dbias");
  const std::pair<const py::array*, const char*> inputs[] = {{&x, "x"}, {&kernel, "kernel"}, {&dz, "dz"}};
  const std::pair<const py::array*, const char*> outputs[] = {
      {dx ? &*dx : nullptr, "dx"}, {dkernel ? &*dkernel : nullptr, "dkernel"}, {dbias ? &*dbias : nullptr, "dbias"}};
  for (int o = 0; o < 3; ++o) {
    if (!outputs[o].first) continue;
    for (const auto& input : inputs) require_disjoint(*outputs[o].first, *input.first, outputs[o].second, input.second);
    if (!linear) require_disjoint(*outputs[o].first, *y, outputs[o].second, "y");
    for (int p = o + 1; p < 3; ++p)
      if (outputs[p].first)
        require_disjoint(*outputs[o].first, *outputs[p].first, outputs[o].second, outputs[p].second);
  }
  const float *x_data = x.data(), *kernel_data = kernel.data(), *dz_data = dz.data();
  const float* y_data = linear ? nullptr : y->data();
  py::gil_scoped_release release;
  kernas::conv2d_backward(g, x_data, kernel_data, y_data, dz_data, activation, dx_data, dkernel_data, dbias_data);
}

}  // namespace

void bind_conv(py::module_& module) {
  module.def("conv2d_forward", &conv2d_forward, py::arg("x"), py::arg("kernel"), py::arg("bias"), py::arg("strides"),
             py::arg("padding"), py::arg("dilation_rate"), py::arg("activation"), py::arg("y"),
             "y = activation(conv2d(x, kernel) + bias), NHWC / HWIO, in place into y.");
  module.def("conv2d_backward", &conv2d_backward, py::arg("x"), py::arg("kernel"), py::arg("dz"), py::arg("strides"),
             py::arg("padding"), py::arg("dilation_rate"), py::arg("dx"), py::arg("dkernel"), py::arg("dbias"),
             py::arg("activation") = ActivationSpec{}, py::arg("y") = py::none(),
             "Gradients of conv2d(x, kernel) + bias from dz; each output may be None when not wanted. With a "
             "non-linear activation, dz is the gradient at the output y = activation(...) and y is required.");
}

}  // namespace kernas::bindings
