#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "common.h"
#include "kernas/ops/pool2d.h"

namespace kernas::bindings {
namespace {

using IndexArray = py::array_t<int32_t, py::array::c_style | py::array::forcecast>;
using Pair = std::array<int64_t, 2>;

bool same_padding(const std::string& padding) {
  if (padding != "valid" && padding != "same")
    fail("Expected padding 'valid' or 'same'. Received: padding='" + padding + "'.");
  return padding == "same";
}

// The window geometry of an NHWC input of shape `input`, checked by the kernel library.
Pool2dGeometry geometry(const py::array& input, const char* name, const Pair& pool_size, const Pair& strides,
                        const std::string& padding) {
  require_ndim(input, 4, name);
  try {
    return pool2d_geometry(input.shape(0), input.shape(1), input.shape(2), input.shape(3), pool_size[0],
                           pool_size[1], strides[0], strides[1], same_padding(padding));
  } catch (const std::invalid_argument& error) {
    fail(error.what());
  }
}

// Global pooling is one window over the whole image: the same checks apply.
void check_global(const py::array& input, const char* name) {
  require_ndim(input, 4, name);
  try {
    pool2d_geometry(input.shape(0), input.shape(1), input.shape(2), input.shape(3), input.shape(1), input.shape(2), 1,
                    1, false);
  } catch (const std::invalid_argument& error) {
    fail(error.what());
  }
}

void require_index_output(const py::array& out, const char* name) {
  if (!py::isinstance<py::array_t<int32_t>>(out))
    fail(std::string("Expected `") + name + "` to have dtype int32. Received: dtype=" +
         std::string(py::str(out.dtype())) + ". Allocate it with np.zeros(shape, dtype='int32').");
  if (!(out.flags() & py::array::c_style))
    fail(std::string("Expected `") + name + "` to be C-contiguous. Allocate it with np.zeros(shape, dtype='int32').");
  if (!out.writeable()) fail(std::string("Expected `") + name + "` to be writeable. Received a read-only array.");
}

int32_t* index_output_data(py::array& out) { return static_cast<int32_t*>(out.mutable_data()); }

// Null when the arg-max is not wanted, else its checked int32 buffer of this
// shape, sharing memory with neither the input x nor the output y.
int32_t* optional_indices(std::optional<py::array>& indices, std::initializer_list<int64_t> shape,
                          const py::array& x, const py::array& y) {
  if (!indices) return nullptr;
  require_index_output(*indices, "indices");
  require_shape(*indices, shape, "indices");
  require_disjoint(*indices, x, "indices", "x");
  require_disjoint(*indices, y, "indices", "y");
  return index_output_data(*indices);
}

void max_pool2d_forward(const InputArray& x, const Pair& pool_size, const Pair& strides, const std::string& padding,
                        py::array& y, std::optional<py::array> indices) {
  const Pool2dGeometry g = geometry(x, "x", pool_size, strides, padding);
  require_output(y, "y");
  require_shape(y, {g.batch, g.out_h, g.out_w, g.channels}, "y");
  require_disjoint(y, x, "y", "x");
  int32_t* indices_data = optional_indices(indices, {g.batch, g.out_h, g.out_w, g.channels}, x, y);
  const float* x_data = x.data();
  float* y_data = output_data(y);
  py::gil_scoped_release release;
  kernas::max_pool2d_forward(g, x_data, y_data, indices_data);
}

void max_pool2d_backward(const InputArray& dy, const IndexArray& indices, py::array& dx, const Pair& pool_size,
                         const Pair& strides, const std::string& padding) {
  require_output(dx, "dx");
  const Pool2dGeometry g = geometry(dx, "dx", pool_size, strides, padding);
  require_shape(dy, {g.batch, g.out_h, g.out_w, g.channels}, "dy");
  require_shape(indices, {g.batch, g.out_h, g.out_w, g.channels}, "indices");
  require_disjoint(dx, dy, "dx", "dy");
  require_disjoint(dx, indices, "dx", "indices");
  const float* dy_data = dy.data();
  const int32_t* indices_data = indices.data();
  float* dx_data = output_data(dx);
  py::gil_scoped_release release;
  kernas::max_pool2d_backward(g, dy_data, indices_data, dx_data);
}

void avg_pool2d_forward(const InputArray& x, const Pair& pool_size, const Pair& strides, const std::string& padding,
                        py::array& y) {
  const Pool2dGeometry g = geometry(x, "x", pool_size, strides, padding);
  require_output(y, "y");
  require_shape(y, {g.batch, g.out_h, g.out_w, g.channels}, "y");
  require_disjoint(y, x, "y", "x");
  const float* x_data = x.data();
  float* y_data = output_data(y);
  py::gil_scoped_release release;
  kernas::avg_pool2d_forward(g, x_data, y_data);
}

void avg_pool2d_backward(const InputArray& dy, py::array& dx, const Pair& pool_size, const Pair& strides,
                         const std::string& padding) {
  require_output(dx, "dx");
  const Pool2dGeometry g = geometry(dx, "dx", pool_size, strides, padding);
  require_shape(dy, {g.batch, g.out_h, g.out_w, g.channels}, "dy");
  require_disjoint(dx, dy, "dx", "dy");
  const float* dy_data = dy.data();
  float* dx_data = output_data(dx);
  py::gil_scoped_release release;
  kernas::avg_pool2d_backward(g, dy_data, dx_data);
}

void global_avg_pool2d_forward(const InputArray& x, py::array& y) {
  check_global(x, "x");
  const int64_t batch = x.shape(0), height = x.shape(1), width = x.shape(2), channels = x.shape(3);
  require_output(y, "y");
  require_shape(y, {batch, channels}, "y");
  require_disjoint(y, x, "y", "x");
  const float* x_data = x.data();
  float* y_data = output_data(y);
  py::gil_scoped_release release;
  kernas::global_avg_pool2d_forward(batch, height, width, channels, x_data, y_data);
}

void global_avg_pool2d_backward(const InputArray& dy, py::array& dx) {
  require_output(dx, "dx");
  check_global(dx, "dx");
  const int64_t batch = dx.shape(0), height = dx.shape(1), width = dx.shape(2), channels = dx.shape(3);
  require_shape(dy, {batch, channels}, "dy");
  require_disjoint(dx, dy, "dx", "dy");
  const float* dy_data = dy.data();
  float* dx_data = output_data(dx);
  py::gil_scoped_release release;
  kernas::global_avg_pool2d_backward(batch, height, width, channels, dy_data, dx_data);
}

void global_max_pool2d_forward(const InputArray& x, py::array& y, std::optional<py::array> indices) {
  check_global(x, "x");
  const int64_t batch = x.shape(0), height = x.shape(1), width = x.shape(2), channels = x.shape(3);
  require_output(y, "y");
  require_shape(y, {batch, channels}, "y");
  require_disjoint(y, x, "y", "x");
  int32_t* indices_data = optional_indices(indices, {batch, channels}, x, y);
  const float* x_data = x.data();
  float* y_data = output_data(y);
  py::gil_scoped_release release;
  kernas::global_max_pool2d_forward(batch, height, width, channels, x_data, y_data, indices_data);
}

void global_max_pool2d_backward(const InputArray& dy, const IndexArray& indices, py::array& dx) {
  require_output(dx, "dx");
  check_global(dx, "dx");
  const int64_t batch = dx.shape(0), height = dx.shape(1), width = dx.shape(2), channels = dx.shape(3);
  require_shape(dy, {batch, channels}, "dy");
  require_shape(indices, {batch, channels}, "indices");
  require_disjoint(dx, dy, "dx", "dy");
  require_disjoint(dx, indices, "dx", "indices");
  const float* dy_data = dy.data();
  const int32_t* indices_data = indices.data();
  float* dx_data = output_data(dx);
  py::gil_scoped_release release;
  kernas::global_max_pool2d_backward(batch, height, width, channels, dy_data, indices_data, dx_data);
}

}  // namespace

void bind_pooling(py::module_& module) {
  module.def("max_pool2d_forward", &max_pool2d_forward, py::arg("x"), py::arg("pool_size"), py::arg("strides"),
             py::arg("padding"), py::arg("y"), py::arg("indices"),
             "NHWC max pooling into y; the arg-max positions (h * width + w) into indices unless it is None.");
  module.def("max_pool2d_backward", &max_pool2d_backward, py::arg("dy"), py::arg("indices"), py::arg("dx"),
             py::arg("pool_size"), py::arg("strides"), py::arg("padding"),
             "Gradient of max pooling into dx (whose shape is the input's) from dy and the forward's indices.");
  module.def("avg_pool2d_forward", &avg_pool2d_forward, py::arg("x"), py::arg("pool_size"), py::arg("strides"),
             py::arg("padding"), py::arg("y"), "NHWC average pooling (padding excluded from the count) into y.");
  module.def("avg_pool2d_backward", &avg_pool2d_backward, py::arg("dy"), py::arg("dx"), py::arg("pool_size"),
             py::arg("strides"), py::arg("padding"), "Gradient of average pooling into dx (the input's shape).");
  module.def("global_avg_pool2d_forward", &global_avg_pool2d_forward, py::arg("x"), py::arg("y"),
             "Mean over height and width of NHWC x into y (batch, channels).");
  module.def("global_avg_pool2d_backward", &global_avg_pool2d_backward, py::arg("dy"), py::arg("dx"),
             "Gradient of global average pooling into dx (the input's shape).");
  module.def("global_max_pool2d_forward", &global_max_pool2d_forward, py::arg("x"), py::arg("y"), py::arg("indices"),
             "Max over height and width of NHWC x into y; arg-max positions into indices unless it is None.");
  module.def("global_max_pool2d_backward", &global_max_pool2d_backward, py::arg("dy"), py::arg("indices"),
             py::arg("dx"), "Gradient of global max pooling into dx from dy and the forward's indices.");
}

}  // namespace kernas::bindings
