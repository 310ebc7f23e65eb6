#include "kernas/ops/batch_norm.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "kernas/cpu_features.h"
#include "kernas/parallel.h"
#include "kernas/scratch.h"

namespace kernas {
namespace {

// Elements per thread below which a second thread costs more than it saves.
constexpr int64_t kElementsPerThread = 1 << 15;
// Channels per reduction work unit: lets a batch of few rows but many
// channels use several threads. Channels are independent, so this split
// never changes a result.
constexpr int64_t kChannelBlock = 256;

// Per-chunk partial results, then per-channel coefficients: grown once, reused.
thread_local Scratch chunk_partials;
thread_local Scratch channel_coefficients;

const batch_norm_kernels::Table& kernels() {
  return active_arch() == Arch::Avx2Fma ? batch_norm_kernels::avx2_fma() : batch_norm_kernels::reference();
}

int64_t chunk_count(int64_t rows) { return (rows + kBatchNormChunkRows - 1) / kBatchNormChunkRows; }

// body(chunk, chunk_rows, c0, c1) for every chunk of rows and block of
// channels, spread over threads; each unit writes only its own partials.
template <typename Body>
void for_chunk_units(int64_t rows, int64_t channels, const Body& body) {
  const int64_t chunks = chunk_count(rows);
  const int64_t blocks = (channels + kChannelBlock - 1) / kChannelBlock;
  const int64_t unit_elements = std::min(rows, kBatchNormChunkRows) * std::min(channels, kChannelBlock);
  parallel_for(
      chunks * blocks, std::max<int64_t>(1, kElementsPerThread / unit_elements),
      [&](int64_t first, int64_t last) {
        for (int64_t u = first; u < last; ++u) {
          const int64_t chunk = u / blocks, block = u % blocks;
          const int64_t row0 = chunk * kBatchNormChunkRows;
          const int64_t c0 = block * kChannelBlock;
          body(chunk, std::min(kBatchNormChunkRows, rows - row0), c0, std::min(channels, c0 + kChannelBlock));
        }
      },
      1);
}

// body(first, last) over rows, at least kElementsPerThread elements per thread.
template <typename Body>
void for_rows(int64_t rows, int64_t channels, const Body& body) {
  parallel_for(rows, std::max<int64_t>(1, kElementsPerThread / channels), body, 1);
}

float inverse_std(float variance, float epsilon) {
  return static_cast<float>(1.0 / std::sqrt(static_cast<double>(variance) + static_cast<double>(epsilon)));
}

// scale = gamma * inv_std (inv_std without gamma), shift = beta (0 without beta).
void affine_coefficients(int64_t channels, const float* gamma, const float* beta, const float* inv_std,
                         float* scale, float* shift) {
  for (int64_t j = 0; j < channels; ++j) {
    scale[j] = gamma ? gamma[j] * inv_std[j] : inv_std[j];
    shift[j] = beta ? beta[j] : 0.0f;
  }
}

}  // namespace

void batch_norm_forward_training(int64_t rows, int64_t channels, const float* x, const float* gamma,
                                 const float* beta, float epsilon, float* y, float* mean, float* variance,
                                 float* inv_std, float* moving_mean, float* moving_variance, float momentum,
                                 float one_minus_momentum) {
  if (rows < 1)
    throw std::invalid_argument("Expected at least one row to compute batch statistics from. Received: rows=" +
                                std::to_string(rows) + ".");
  if (channels <= 0) return;
  const auto& table = kernels();
  const int64_t chunks = chunk_count(rows);
  float* chunk_mean = chunk_partials.reserve(2 * chunks * channels);
  float* chunk_m2 = chunk_mean + chunks * channels;
  float* scale = channel_coefficients.reserve(2 * channels);
  float* shift = scale + channels;

  for_chunk_units(rows, channels, [&](int64_t chunk, int64_t chunk_rows, int64_t c0, int64_t c1) {
    table.chunk_moments(chunk_rows, channels, c0, c1, x + chunk * kBatchNormChunkRows * channels, x,
                        chunk_mean + chunk * channels, chunk_m2 + chunk * channels);
  });

  // Chan et al.'s merge of (count, mean, sum of squared deviations), chunk by
  // chunk in order; the chunk means are of x - x[0], which is added back last.
  for (int64_t j = 0; j < channels; ++j) {
    double count = static_cast<double>(std::min(rows, kBatchNormChunkRows));
    double mu = chunk_mean[j], m2 = chunk_m2[j];
    for (int64_t c = 1; c < chunks; ++c) {
      const double n = static_cast<double>(std::min(kBatchNormChunkRows, rows - c * kBatchNormChunkRows));
      const double total = count + n;
      const double delta = static_cast<double>(chunk_mean[c * channels + j]) - mu;
      mu += delta * (n / total);
      m2 += static_cast<double>(chunk_m2[c * channels + j]) + delta * delta * (count * n / total);
      count = total;
    }
    mean[j] = static_cast<float>(mu + static_cast<double>(x[j]));
    variance[j] = static_cast<float>(m2 / static_cast<double>(rows));
    inv_std[j] = inverse_std(variance[j], epsilon);
  }
  if (moving_mean && moving_variance) {
    for (int64_t j = 0; j < channels; ++j) {
      moving_mean[j] = moving_mean[j] * momentum + mean[j] * one_minus_momentum;
      moving_variance[j] = moving_variance[j] * momentum + variance[j] * one_minus_momentum;
    }
  }

  affine_coefficients(channels, gamma, beta, inv_std, scale, shift);
  for_rows(rows, channels,
           [&](int64_t first, int64_t last) { table.normalize(channels, x, mean, scale, shift, y, first, last); });
}

void batch_norm_forward_inference(int64_t rows, int64_t channels, const float* x, const float* mean,
                                  const float* variance, const float* gamma, const float* beta, float epsilon,
                                  float* y, float* inv_std) {
  if (channels <= 0) return;
  const auto& table = kernels();
  float* scale = channel_coefficients.reserve(3 * channels);
  float* shift = scale + channels;
  if (!inv_std) inv_std = shift + channels;
  for (int64_t j = 0; j < channels; ++j) inv_std[j] = inverse_std(variance[j], epsilon);
  affine_coefficients(channels, gamma, beta, inv_std, scale, shift);
  for_rows(rows, channels,
           [&](int64_t first, int64_t last) { table.normalize(channels, x, mean, scale, shift, y, first, last); });
}

void batch_norm_backward(int64_t rows, int64_t channels, const float* x, const float* dy, const float* mean,
                         const float* inv_std, const float* gamma, bool training, float* dx, float* dgamma,
                         float* dbeta) {
  if (channels <= 0) return;
  const auto& table = kernels();
  float* k = channel_coefficients.reserve(3 * channels);
  float* a = k + channels;
  float* b = a + channels;
  const bool need_sums = dgamma || dbeta || (training && dx);
  if (!need_sums) {
    // Only an inference-mode dx: a per-channel scale.
    for (int64_t j = 0; j < channels; ++j) k[j] = gamma ? gamma[j] * inv_std[j] : inv_std[j];
  } else {
    const int64_t chunks = chunk_count(rows);
    float* sum_dy = chunk_partials.reserve(2 * std::max<int64_t>(chunks, 1) * channels);
    float* sum_dy_xc = sum_dy + chunks * channels;
    if (rows > 0) {
      for_chunk_units(rows, channels, [&](int64_t chunk, int64_t chunk_rows, int64_t c0, int64_t c1) {
        const int64_t offset = chunk * kBatchNormChunkRows * channels;
        table.chunk_grad_sums(chunk_rows, channels, c0, c1, x + offset, dy + offset, mean,
                              sum_dy + chunk * channels, sum_dy_xc + chunk * channels);
      });
    }
    const double count = static_cast<double>(rows);
    for (int64_t j = 0; j < channels; ++j) {
      double s = 0.0, t = 0.0;
      for (int64_t c = 0; c < chunks; ++c) {
        s += sum_dy[c * channels + j];
        t += sum_dy_xc[c * channels + j];
      }
      const double inv = inv_std[j];
      if (dbeta) dbeta[j] = static_cast<float>(s);
      if (dgamma) dgamma[j] = static_cast<float>(t * inv);
      k[j] = gamma ? gamma[j] * inv_std[j] : inv_std[j];
      if (rows > 0) {
        a[j] = static_cast<float>(s / count);
        b[j] = static_cast<float>(t * inv * inv / count);
      }
    }
  }
  if (!dx) return;
  if (training) {
    for_rows(rows, channels, [&](int64_t first, int64_t last) {
      table.input_grad_training(channels, x, dy, mean, k, a, b, dx, first, last);
    });
  } else {
    for_rows(rows, channels,
             [&](int64_t first, int64_t last) { table.input_grad_inference(channels, dy, k, dx, first, last); });
  }
}

}  // namespace kernas
