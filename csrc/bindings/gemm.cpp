#include "common.h"
#include "kernas/gemm/gemm.h"

namespace kernas::bindings {
namespace {

void gemm(const InputArray& a, const InputArray& b, py::array& c, bool transpose_a, bool transpose_b, float alpha,
          float beta) {
  require_ndim(a, 2, "a");
  require_ndim(b, 2, "b");
  require_output(c, "c");
  const int64_t m = transpose_a ? a.shape(1) : a.shape(0), k = transpose_a ? a.shape(0) : a.shape(1);
  const int64_t kb = transpose_b ? b.shape(1) : b.shape(0), n = transpose_b ? b.shape(0) : b.shape(1);
  if (k != kb)
    fail("Expected the inner dimensions of op(a) and op(b) to match. Received: a.shape=" + shape_text(a) +
         " (transpose_a=" + (transpose_a ? "True" : "False") + "), b.shape=" + shape_text(b) +
         " (transpose_b=" + (transpose_b ? "True" : "False") + ").");
  require_shape(c, {m, n}, "c");
  require_disjoint(c, a, "c", "a");
  require_disjoint(c, b, "c", "b");

  const float* a_data = a.data();
  const float* b_data = b.data();
  float* c_data = output_data(c);
  const int64_t lda = a.shape(1), ldb = b.shape(1);
  py::gil_scoped_release release;
  sgemm(transpose_a, transpose_b, m, n, k, alpha, a_data, lda, b_data, ldb, beta, c_data, n);
}

}  // namespace

void bind_gemm(py::module_& module) {
  module.def("gemm", &gemm, py::arg("a"), py::arg("b"), py::arg("c"), py::arg("transpose_a"), py::arg("transpose_b"),
             py::arg("alpha"), py::arg("beta"),
             "c = alpha * op(a) @ op(b) + beta * c for float32 matrices, in place.");
}

}  // namespace kernas::bindings
