#include "kernas/gemm/pack.h"

#include <algorithm>

#include "kernas/gemm/microkernel.h"

namespace kernas::gemm {
namespace {

// One panel of `width` lanes: dst[p * Width + lane] = src(lane, p), where
// lane_stride / depth_stride are the source strides along lane and p. Lanes
// past `lanes` are zeros. The loop runs along whichever source stride is 1 so
// that reads stay sequential.
template <int Width>
void pack_panel(int64_t lanes, int64_t depth, const float* src, int64_t lane_stride, int64_t depth_stride,
                float* dst) {
  if (lanes == Width && lane_stride == 1) {
    // The common full panel of a row-major B: whole rows of Width floats, a
    // fixed-length copy the compiler turns into vector moves.
    for (int64_t p = 0; p < depth; ++p)
      for (int lane = 0; lane < Width; ++lane) dst[p * Width + lane] = src[p * depth_stride + lane];
    return;
  }
  if (lanes == Width) {
    // A full panel across rows of a row-major A: Width sequential read streams.
    for (int64_t p = 0; p < depth; ++p)
      for (int lane = 0; lane < Width; ++lane) dst[p * Width + lane] = src[lane * lane_stride + p * depth_stride];
    return;
  }
  std::fill(dst, dst + depth * Width, 0.0f);  // one fill, not a short one per row
  if (lane_stride == 1) {
    for (int64_t p = 0; p < depth; ++p)
      for (int64_t lane = 0; lane < lanes; ++lane) dst[p * Width + lane] = src[p * depth_stride + lane];
  } else {
    for (int64_t lane = 0; lane < lanes; ++lane)
      for (int64_t p = 0; p < depth; ++p) dst[p * Width + lane] = src[lane * lane_stride + p * depth_stride];
  }
}

}  // namespace

void pack_a(int64_t m, int64_t k, const float* src, int64_t rs, int64_t cs, float* dst) {
  for (int64_t i = 0; i < m; i += kMR)
    pack_panel<kMR>(std::min<int64_t>(kMR, m - i), k, src + i * rs, rs, cs, dst + i * k);
}

void pack_b(int64_t k, int64_t n, const float* src, int64_t rs, int64_t cs, float* dst) {
  for (int64_t j = 0; j < n; j += kNR)
    pack_panel<kNR>(std::min<int64_t>(kNR, n - j), k, src + j * cs, cs, rs, dst + j * k);
}

}  // namespace kernas::gemm
