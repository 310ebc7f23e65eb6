// Reductions whose result does not depend on the thread count.
#pragma once

#include <cstdint>

namespace kernas {

// out[j] = sum over i of x[i * ldx + j], for a rows x cols array: the bias
// gradient of Dense and Conv2D. Rows are summed in fixed chunks, in order, and
// the chunk sums are then added in chunk order, so every thread count gives
// the same bits.
void sum_rows(int64_t rows, int64_t cols, const float* x, int64_t ldx, float* out);

}  // namespace kernas
