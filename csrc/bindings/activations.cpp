// _core.activation_forward / activation_backward: an activation over an
// array of any shape (softmax and log-softmax along its last axis).
#include <string>

#include "common.h"
#include "kernas/ops/activations.h"

namespace kernas::bindings {
namespace {

// The array as rows x cols with cols its last axis (a 0-d array is one element).
struct Rows {
  int64_t rows, cols;
};

Rows rows_of(const py::array& array) {
  const int64_t cols = array.ndim() > 0 ? array.shape(array.ndim() - 1) : 1;
  return {cols > 0 ? array.size() / cols : 0, cols};
}

void activation_forward(const InputArray& x, const ActivationSpec& activation, py::array& y) {
  require_output(y, "y");
  require_same_shape(y, x, "y", "x");
  require_same_or_disjoint(y, x, "y", "x");
  const Rows shape = rows_of(x);
  const float* x_data = x.data();
  float* y_data = output_data(y);
  py::gil_scoped_release release;
  kernas::activation_forward(activation, shape.rows, shape.cols, x_data, y_data);
}

// A saved forward tensor the backward of `activation` reads: checked and
// returned, or null when it is not needed (then it may be None).
const float* saved_tensor(const std::optional<InputArray>& saved, bool needed, const InputArray& dy, py::array& dx,
                          const ActivationSpec& activation, const char* name, const char* role) {
  if (!needed) return nullptr;
  if (!saved)
    fail("Expected `" + std::string(name) + "`, the forward " + role + ", for the gradient of activation '" +
         py::cast(activation).attr("name").cast<std::string>() + "'. Received: " + name +
         "=None. Pass the array the forward pass " + (std::string(role) == "input" ? "received" : "returned") + ".");
  require_same_shape(*saved, dy, name, "dy");
  require_disjoint(dx, *saved, "dx", name);
  return saved->data();
}

void activation_backward(const ActivationSpec& activation, const std::optional<InputArray>& x,
                         const std::optional<InputArray>& y, const InputArray& dy, py::array& dx) {
  require_output(dx, "dx");
  require_same_shape(dx, dy, "dx", "dy");
  require_same_or_disjoint(dx, dy, "dx", "dy");
  const ActivationNeeds needs = activation_backward_needs(activation);
  const float* x_data = saved_tensor(x, needs.input, dy, dx, activation, "x", "input");
  const float* y_data = saved_tensor(y, needs.output, dy, dx, activation, "y", "output");
  const Rows shape = rows_of(dy);
  const float* dy_data = dy.data();
  float* dx_data = output_data(dx);
  py::gil_scoped_release release;
  kernas::activation_backward(activation, shape.rows, shape.cols, x_data, y_data, dy_data, dx_data);
}

}  // namespace

void bind_activations(py::module_& module) {
  module.def("activation_forward", &activation_forward, py::arg("x"), py::arg("activation"), py::arg("y"),
             "y = activation(x), into y (which may be x); softmax kinds run along the last axis.");
  module.def("activation_backward", &activation_backward, py::arg("activation"), py::arg("x"), py::arg("y"),
             py::arg("dy"), py::arg("dx"),
             "dx = dL/dx from dy = dL/dy, into dx (which may be dy). x (the forward input) and y (its output) "
             "may be None where the activation's gradient does not read them.");
}

}  // namespace kernas::bindings
