// Shared argument checks for the binding files. Bindings hold no logic: they
// convert, check (the last line of defence that keeps a direct _core call from
// crashing the process), release the GIL and call one kernel.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>

namespace kernas::bindings {

namespace py = pybind11;

// Any real array converts to a C-contiguous float32 one (a copy only when needed).
using InputArray = py::array_t<float, py::array::c_style | py::array::forcecast>;

std::string shape_text(const py::array& array);

// Raises ValueError with `message`.
[[noreturn]] void fail(const std::string& message);

// An output array the kernel may write straight into: float32, C-contiguous, writeable.
void require_output(const py::array& out, const char* name);

// Fails unless `array` has exactly this shape.
void require_shape(const py::array& array, std::initializer_list<int64_t> shape, const char* name);

// Fails unless `array` has this many dimensions.
void require_ndim(const py::array& array, int64_t ndim, const char* name);

// Fails if an output shares memory with an input it would overwrite.
void require_disjoint(const py::array& out, const py::array& in, const char* out_name, const char* in_name);

// Fails unless `array` has the shape of `like`.
void require_same_shape(const py::array& array, const py::array& like, const char* name, const char* like_name);

// An output may be exactly its input (in place) but must not partly overlap it.
void require_same_or_disjoint(const py::array& out, const py::array& in, const char* out_name, const char* in_name);

// An array and its argument name; the array may be absent (null).
using NamedArray = std::pair<const py::array*, const char*>;

template <class Array>
const py::array* present(const std::optional<Array>& array) {
  return array ? &*array : nullptr;
}

// Every present output against every present input and every other output:
// a kernel reads its inputs and writes its outputs in no promised order, so none may overlap.
void require_all_disjoint(std::initializer_list<NamedArray> outputs, std::initializer_list<NamedArray> inputs);

inline float* output_data(py::array& out) { return static_cast<float*>(out.mutable_data()); }

// An output the caller may decline (None, e.g. a gradient not wanted): null
// then, else the checked buffer of exactly this shape.
float* optional_output(std::optional<py::array>& out, std::initializer_list<int64_t> shape, const char* name);

// The checks a layer's forward output needs: float32 C-contiguous of this
// shape, sharing memory with none of x, kernel and the optional bias (`units`
// long). Returns y's data.
float* layer_output(py::array& y, std::initializer_list<int64_t> shape, const py::array& x, const py::array& kernel,
                    const std::optional<InputArray>& bias, int64_t units);

// Registration of each area's functions; module.cpp calls them all.
void bind_gemm(py::module_& module);
void bind_activation_spec(py::module_& module);  // before any binding that takes an ActivationSpec
void bind_dense(py::module_& module);
void bind_activations(py::module_& module);
void bind_conv(py::module_& module);
void bind_pooling(py::module_& module);
void bind_losses(py::module_& module);
void bind_dropout(py::module_& module);
void bind_optimizers(py::module_& module);
void bind_batch_norm(py::module_& module);

}  // namespace kernas::bindings
