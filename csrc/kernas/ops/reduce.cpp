#include "kernas/ops/reduce.h"

#include <algorithm>

#include "kernas/parallel.h"
#include "kernas/scratch.h"

namespace kernas {
namespace {

// Rows per chunk: part of the result's definition, never derived from the thread count.
constexpr int64_t kRowsPerChunk = 256;
// Elements per thread below which a second thread costs more than it saves.
constexpr int64_t kElementsPerThread = 1 << 15;

thread_local Scratch chunk_sums;

void sum_chunk(int64_t rows, int64_t cols, const float* x, int64_t ldx, float* out) {
  std::copy(x, x + cols, out);
  for (int64_t i = 1; i < rows; ++i) {
    const float* row = x + i * ldx;
    for (int64_t j = 0; j < cols; ++j) out[j] += row[j];
  }
}

}  // namespace

void sum_rows(int64_t rows, int64_t cols, const float* x, int64_t ldx, float* out) {
  if (cols <= 0) return;
  if (rows <= 0) return std::fill(out, out + cols, 0.0f);
  const int64_t chunks = (rows + kRowsPerChunk - 1) / kRowsPerChunk;
  if (chunks == 1) return sum_chunk(rows, cols, x, ldx, out);

  float* partial = chunk_sums.reserve(chunks * cols);
  const int64_t grain = std::max<int64_t>(1, kElementsPerThread / (kRowsPerChunk * cols));
  parallel_for(
      chunks, grain,
      [&](int64_t first, int64_t last) {
        for (int64_t c = first; c < last; ++c) {
          const int64_t row0 = c * kRowsPerChunk;
          sum_chunk(std::min(kRowsPerChunk, rows - row0), cols, x + row0 * ldx, ldx, partial + c * cols);
        }
      },
      1);
  std::copy(partial, partial + cols, out);
  for (int64_t c = 1; c < chunks; ++c)
    for (int64_t j = 0; j < cols; ++j) out[j] += partial[c * cols + j];
}

}  // namespace kernas
