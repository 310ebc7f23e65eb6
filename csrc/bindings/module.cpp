// kernas._core: converts and checks arguments, releases the GIL, calls a kernel.
// Friendly argument handling lives in python/kernas/ops.py; the checks here are
// the last line of defence that keeps a direct call from crashing the process.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string>

#include "kernas/cpu_features.h"
#include "kernas/gemm/gemm.h"
#include "kernas/parallel.h"

namespace py = pybind11;

namespace {

using InputArray = py::array_t<float, py::array::c_style | py::array::forcecast>;

std::string shape_text(const py::array& array) {
  std::string text;
  for (py::ssize_t d = 0; d < array.ndim(); ++d) text += (d ? ", " : "") + std::to_string(array.shape(d));
  return "(" + text + (array.ndim() == 1 ? ",)" : ")");
}

// Checks run on every call, so messages are built only on failure.
[[noreturn]] void fail(const std::string& message) { throw py::value_error(message); }

// An output array the kernel may write straight into.
void require_output(const py::array& out, const char* name) {
  if (!py::isinstance<py::array_t<float>>(out))
    fail(std::string("Expected `") + name + "` to have dtype float32. Received: dtype=" + std::string(py::str(out.dtype())) +
         ". Allocate it with np.zeros(shape, dtype='float32').");
  if (!(out.flags() & py::array::c_style))
    fail(std::string("Expected `") + name + "` to be C-contiguous. Allocate it with np.zeros(shape, dtype='float32').");
  if (!out.writeable()) fail(std::string("Expected `") + name + "` to be writeable. Received a read-only array.");
}

bool overlaps(const py::array& x, const py::array& y) {
  const auto* x0 = static_cast<const char*>(x.data());
  const auto* y0 = static_cast<const char*>(y.data());
  return x.nbytes() > 0 && y.nbytes() > 0 && x0 < y0 + y.nbytes() && y0 < x0 + x.nbytes();
}

void gemm(const InputArray& a, const InputArray& b, py::array& c, bool transpose_a, bool transpose_b, float alpha,
          float beta) {
  if (a.ndim() != 2) fail("Expected `a` to be 2-D. Received: a.shape=" + shape_text(a) + ".");
  if (b.ndim() != 2) fail("Expected `b` to be 2-D. Received: b.shape=" + shape_text(b) + ".");
  require_output(c, "c");
  const int64_t m = transpose_a ? a.shape(1) : a.shape(0), k = transpose_a ? a.shape(0) : a.shape(1);
  const int64_t kb = transpose_b ? b.shape(1) : b.shape(0), n = transpose_b ? b.shape(0) : b.shape(1);
  if (k != kb)
    fail("Expected the inner dimensions of op(a) and op(b) to match. Received: a.shape=" + shape_text(a) +
                       " (transpose_a=" + (transpose_a ? "True" : "False") + "), b.shape=" + shape_text(b) +
                       " (transpose_b=" + (transpose_b ? "True" : "False") + ").");
  if (c.ndim() != 2 || c.shape(0) != m || c.shape(1) != n)
    fail("Expected `c` to have shape (" + std::to_string(m) + ", " + std::to_string(n) + "). Received: c.shape=" + shape_text(c) + ".");
  if (overlaps(c, a) || overlaps(c, b)) fail("Expected `c` not to share memory with `a` or `b`: the result would overwrite its own inputs.");

  const float* a_data = a.data();
  const float* b_data = b.data();
  auto* c_data = static_cast<float*>(c.mutable_data());
  const int64_t lda = a.shape(1), ldb = b.shape(1);
  py::gil_scoped_release release;
  kernas::sgemm(transpose_a, transpose_b, m, n, k, alpha, a_data, lda, b_data, ldb, beta, c_data, n);
}

}  // namespace

PYBIND11_MODULE(_core, module) {
  module.doc() = "kernas native kernels";
  kernas::apply_arch_environment();

  module.def("gemm", &gemm, py::arg("a"), py::arg("b"), py::arg("c"), py::arg("transpose_a"), py::arg("transpose_b"),
             py::arg("alpha"), py::arg("beta"),
             "c = alpha * op(a) @ op(b) + beta * c for float32 matrices, in place.");

  module.attr("MAX_THREADS") = kernas::kMaxThreads;
  module.def("num_threads", &kernas::num_threads);
  module.def("set_num_threads", [](int n) {
    if (n < 1 || n > kernas::kMaxThreads)
      fail("Expected a thread count between 1 and " + std::to_string(kernas::kMaxThreads) + ". Received: n=" + std::to_string(n) + ".");
    kernas::set_num_threads(n);
  });
  module.def("active_arch", [] { return kernas::arch_name(kernas::active_arch()); });
  module.def("supported_archs", &kernas::supported_arch_names);
  // std::invalid_argument from here (and from apply_arch_environment) reaches Python as ValueError.
  module.def("set_active_arch", &kernas::set_active_arch);
}
