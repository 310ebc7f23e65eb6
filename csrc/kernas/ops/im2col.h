// The column matrix of a convolution, built and taken apart a few rows at a
// time so that it never has to exist for the whole batch.
#pragma once

#include <cstdint>

#include "kernas/ops/conv2d.h"

namespace kernas {

// Writes rows first .. first + count - 1 of the column matrix into col
// (count x g.depth(), row-major). Row p belongs to output pixel p of the
// batch (n, oh, ow flattened) and holds what its kernel taps read from x, in
// (kh, kw, c) order, zeros where a tap falls into the padding.
void im2col(const Conv2DGeometry& g, const float* x, int64_t first, int64_t count, float* col);

// The adjoint of im2col: adds every value of those rows of col into the
// element of dx it was read from (padding taps are dropped). Rows are added
// in a fixed order (output row by output row, then tap by tap), so a given
// range always gives the same bits.
void col2im_add(const Conv2DGeometry& g, const float* col, int64_t first, int64_t count, float* dx);

}  // namespace kernas
