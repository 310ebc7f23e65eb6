#include "common.h"

namespace kernas::bindings {

std::string shape_text(const py::array& array) {
  std::string text;
  for (py::ssize_t d = 0; d < array.ndim(); ++d) text += (d ? ", " : "") + std::to_string(array.shape(d));
  return "(" + text + (array.ndim() == 1 ? ",)" : ")");
}

void fail(const std::string& message) { throw py::value_error(message); }

void require_output(const py::array& out, const char* name) {
  if (!py::isinstance<py::array_t<float>>(out))
    fail(std::string("Expected `") + name + "` to have dtype float32. Received: dtype=" + std::string(py::str(out.dtype())) +
         ". Allocate it with np.zeros(shape, dtype='float32').");
  if (!(out.flags() & py::array::c_style))
    fail(std::string("Expected `") + name + "` to be C-contiguous. Allocate it with np.zeros(shape, dtype='float32').");
  if (!out.writeable()) fail(std::string("Expected `") + name + "` to be writeable. Received a read-only array.");
}

void require_ndim(const py::array& array, int64_t ndim, const char* name) {
  if (array.ndim() != ndim)
    fail(std::string("Expected `") + name + "` to have " + std::to_string(ndim) + " dimensions. Received: " + name +
         ".shape=" + shape_text(array) + ".");
}

void require_shape(const py::array& array, std::initializer_list<int64_t> shape, const char* name) {
  bool same = array.ndim() == static_cast<py::ssize_t>(shape.size());
  std::string expected;
  py::ssize_t d = 0;
  for (int64_t extent : shape) {
    expected += (d ? ", " : "") + std::to_string(extent);
    if (same && array.shape(d) != extent) same = false;
    ++d;
  }
  if (!same)
    fail(std::string("Expected `") + name + "` to have shape (" + expected + (shape.size() == 1 ? ",)" : ")") +
         ". Received: " + name + ".shape=" + shape_text(array) + ".");
}

void require_disjoint(const py::array& out, const py::array& in, const char* out_name, const char* in_name) {
  const auto* o = static_cast<const char*>(out.data());
  const auto* i = static_cast<const char*>(in.data());
  if (out.nbytes() > 0 && in.nbytes() > 0 && o < i + in.nbytes() && i < o + out.nbytes())
    fail(std::string("Expected `") + out_name + "` not to share memory with `" + in_name +
         "`: the result would overwrite its own input.");
}

void require_same_shape(const py::array& array, const py::array& like, const char* name, const char* like_name) {
  bool same = array.ndim() == like.ndim();
  for (py::ssize_t d = 0; same && d < like.ndim(); ++d) same = array.shape(d) == like.shape(d);
  if (!same)
    fail(std::string("Expected `") + name + "` to have the shape of `" + like_name + "`, " + shape_text(like) +
         ". Received: " + name + ".shape=" + shape_text(array) + ".");
}

void require_same_or_disjoint(const py::array& out, const py::array& in, const char* out_name, const char* in_name) {
  if (out.data() != in.data()) require_disjoint(out, in, out_name, in_name);
}

void require_all_disjoint(std::initializer_list<NamedArray> outputs, std::initializer_list<NamedArray> inputs) {
  for (const auto& [out, out_name] : outputs) {
    if (!out) continue;
    for (const auto& [in, in_name] : inputs)
      if (in) require_disjoint(*out, *in, out_name, in_name);
    for (const auto& [other, other_name] : outputs)
      if (other && other != out) require_disjoint(*out, *other, out_name, other_name);
  }
}

float* optional_output(std::optional<py::array>& out, std::initializer_list<int64_t> shape, const char* name) {
  if (!out) return nullptr;
  require_output(*out, name);
  require_shape(*out, shape, name);
  return output_data(*out);
}

float* layer_output(py::array& y, std::initializer_list<int64_t> shape, const py::array& x, const py::array& kernel,
                    const std::optional<InputArray>& bias, int64_t units) {
  if (bias) require_shape(*bias, {units}, "bias");
  require_output(y, "y");
  require_shape(y, shape, "y");
  require_disjoint(y, x, "y", "x");
  require_disjoint(y, kernel, "y", "kernel");
  if (bias) require_disjoint(y, *bias, "y", "bias");
  return output_data(y);
}

}  // namespace kernas::bindings
