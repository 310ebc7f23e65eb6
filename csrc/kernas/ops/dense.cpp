#include "kernas/ops/dense.h"

#include "kernas/gemm/gemm.h"
#include "kernas/ops/reduce.h"

namespace kernas {

void dense_forward(int64_t batch, int64_t in, int64_t out, const float* x, const float* kernel, const float* bias,
                   const ActivationSpec& activation, float* y) {
  const bool fused = activation_is_elementwise(activation.kind);
  const bool identity = activation.kind == ActivationKind::Linear;
  sgemm(false, false, batch, out, in, 1.0f, x, in, kernel, out, 0.0f, y, out,
        {bias, fused && !identity ? &activation : nullptr});
  if (!fused) activation_forward(activation, batch, out, y, y);
}

void dense_backward(int64_t batch, int64_t in, int64_t out, const float* x, const float* kernel, const float* dz,
                    float* dx, float* dkernel, float* dbias) {
  if (dkernel) sgemm(true, false, in, out, batch, 1.0f, x, in, dz, out, 0.0f, dkernel, out);
  if (dx) sgemm(false, true, batch, in, out, 1.0f, dz, out, kernel, out, 0.0f, dx, in);
  if (dbias) sum_rows(batch, out, dz, out, dbias);
}

}  // namespace kernas
