#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include "common.h"
#include "kernas/ops/batch_norm.h"

namespace kernas::bindings {
namespace {

// The (rows, channels) view of an array normalized over its last axis.
struct RowsView {
  int64_t rows, channels;
};

RowsView rows_view(const py::array& x, const char* name) {
  if (x.ndim() < 1)
    fail(std::string("Expected `") + name + "` to have at least 1 dimension (channels last). Received: " + name +
         ".shape=" + shape_text(x) + ".");
  int64_t rows = 1;
  for (py::ssize_t d = 0; d + 1 < x.ndim(); ++d) rows *= x.shape(d);
  return {rows, static_cast<int64_t>(x.shape(x.ndim() - 1))};
}

// A per-channel output: float32, C-contiguous, (channels,).
float* channel_output(py::array& out, int64_t channels, const char* name) {
  require_output(out, name);
  require_shape(out, {channels}, name);
  return output_data(out);
}

// A per-channel parameter that may be None (scale=False / center=False).
const float* optional_parameter(const std::optional<InputArray>& parameter, int64_t channels, const char* name) {
  if (!parameter) return nullptr;
  require_shape(*parameter, {channels}, name);
  return parameter->data();
}

void forward_training(const InputArray& x, const std::optional<InputArray>& gamma,
                      const std::optional<InputArray>& beta, float epsilon, py::array& y, py::array& mean,
                      py::array& variance, py::array& inv_std, std::optional<py::array> moving_mean,
                      std::optional<py::array> moving_variance, double momentum) {
  const RowsView v = rows_view(x, "x");
  if (v.rows < 1)
    fail("Expected `x` to hold at least one sample to compute batch statistics from. Received: x.shape=" +
         shape_text(x) + ".");
  const float* gamma_data = optional_parameter(gamma, v.channels, "gamma");
  const float* beta_data = optional_parameter(beta, v.channels, "beta");
  require_output(y, "y");
  require_same_shape(y, x, "y", "x");
  float* mean_data = channel_output(mean, v.channels, "mean");
  float* variance_data = channel_output(variance, v.channels, "variance");
  float* inv_std_data = channel_output(inv_std, v.channels, "inv_std");
  if (moving_mean.has_value() != moving_variance.has_value())
    fail("Expected `moving_mean` and `moving_variance` to be both arrays or both None.");
  float* moving_mean_data = nullptr;
  float* moving_variance_data = nullptr;
  if (moving_mean) {
    moving_mean_data = channel_output(*moving_mean, v.channels, "moving_mean");
    moving_variance_data = channel_output(*moving_variance, v.channels, "moving_variance");
  }
  require_all_disjoint({{&y, "y"}, {&mean, "mean"}, {&variance, "variance"}, {&inv_std, "inv_std"},
                        {present(moving_mean), "moving_mean"}, {present(moving_variance), "moving_variance"}},
                       {{&x, "x"}, {present(gamma), "gamma"}, {present(beta), "beta"}});
  const float* x_data = x.data();
  float* y_data = output_data(y);
  const float momentum_f = static_cast<float>(momentum);
  const float one_minus_momentum = static_cast<float>(1.0 - momentum);
  py::gil_scoped_release release;
  kernas::batch_norm_forward_training(v.rows, v.channels, x_data, gamma_data, beta_data, epsilon, y_data, mean_data,
                                      variance_data, inv_std_data, moving_mean_data, moving_variance_data,
                                      momentum_f, one_minus_momentum);
}

void forward_inference(const InputArray& x, const InputArray& mean, const InputArray& variance,
                       const std::optional<InputArray>& gamma, const std::optional<InputArray>& beta, float epsilon,
                       py::array& y, std::optional<py::array> inv_std) {
  const RowsView v = rows_view(x, "x");
  require_shape(mean, {v.channels}, "mean");
  require_shape(variance, {v.channels}, "variance");
  const float* gamma_data = optional_parameter(gamma, v.channels, "gamma");
  const float* beta_data = optional_parameter(beta, v.channels, "beta");
  require_output(y, "y");
  require_same_shape(y, x, "y", "x");
  float* inv_std_data = inv_std ? channel_output(*inv_std, v.channels, "inv_std") : nullptr;
  require_all_disjoint({{&y, "y"}, {present(inv_std), "inv_std"}},
                       {{&x, "x"}, {&mean, "mean"}, {&variance, "variance"}, {present(gamma), "gamma"},
                        {present(beta), "beta"}});
  const float* x_data = x.data();
  const float* mean_data = mean.data();
  const float* variance_data = variance.data();
  float* y_data = output_data(y);
  py::gil_scoped_release release;
  kernas::batch_norm_forward_inference(v.rows, v.channels, x_data, mean_data, variance_data, gamma_data, beta_data,
                                       epsilon, y_data, inv_std_data);
}

void backward(const InputArray& x, const InputArray& dy, const InputArray& mean, const InputArray& inv_std,
              const std::optional<InputArray>& gamma, bool training, std::optional<py::array> dx,
              std::optional<py::array> dgamma, std::optional<py::array> dbeta) {
  const RowsView v = rows_view(x, "x");
  require_same_shape(dy, x, "dy", "x");
  require_shape(mean, {v.channels}, "mean");
  require_shape(inv_std, {v.channels}, "inv_std");
  const float* gamma_data = optional_parameter(gamma, v.channels, "gamma");
  float* dx_data = nullptr;
  if (dx) {
    require_output(*dx, "dx");
    require_same_shape(*dx, x, "dx", "x");
    dx_data = output_data(*dx);
  }
  float* dgamma_data = optional_output(dgamma, {v.channels}, "dgamma");
  float* dbeta_data = optional_output(dbeta, {v.channels}, "dbeta");
  require_all_disjoint({{present(dx), "dx"}, {present(dgamma), "dgamma"}, {present(dbeta), "dbeta"}},
                       {{&x, "x"}, {&dy, "dy"}, {&mean, "mean"}, {&inv_std, "inv_std"}, {present(gamma), "gamma"}});
  const float* x_data = x.data();
  const float* dy_data = dy.data();
  const float* mean_data = mean.data();
  const float* inv_std_data = inv_std.data();
  py::gil_scoped_release release;
  kernas::batch_norm_backward(v.rows, v.channels, x_data, dy_data, mean_data, inv_std_data, gamma_data, training,
                              dx_data, dgamma_data, dbeta_data);
}

}  // namespace

void bind_batch_norm(py::module_& module) {
  module.def("batch_norm_forward_training", &forward_training, py::arg("x"), py::arg("gamma"), py::arg("beta"),
             py::arg("epsilon"), py::arg("y"), py::arg("mean"), py::arg("variance"), py::arg("inv_std"),
             py::arg("moving_mean"), py::arg("moving_variance"), py::arg("momentum"),
             "Batch normalization over the last axis with batch statistics: y, and the batch mean, biased "
             "variance and 1/sqrt(variance + epsilon) per channel; updates moving_mean / moving_variance in place "
             "(moving * momentum + batch * (1 - momentum)) unless they are None.");
  module.def("batch_norm_forward_inference", &forward_inference, py::arg("x"), py::arg("mean"), py::arg("variance"),
             py::arg("gamma"), py::arg("beta"), py::arg("epsilon"), py::arg("y"), py::arg("inv_std"),
             "Batch normalization over the last axis with given statistics into y; 1/sqrt(variance + epsilon) "
             "into inv_std unless it is None.");
  module.def("batch_norm_backward", &backward, py::arg("x"), py::arg("dy"), py::arg("mean"), py::arg("inv_std"),
             py::arg("gamma"), py::arg("training"), py::arg("dx"), py::arg("dgamma"), py::arg("dbeta"),
             "Gradients of batch normalization (training: batch statistics; else fixed ones) into whichever of "
             "dx, dgamma, dbeta are not None.");
}

}  // namespace kernas::bindings
