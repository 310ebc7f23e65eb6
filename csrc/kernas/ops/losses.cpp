// Losses: each row's value and gradient in float32 term by term as Keras 3
// computes them (its numpy / jax / torch backends), summed in double.
//
// Where Keras's backends differ, the numpy, jax and torch backends agree and
// are followed here:
// - binary crossentropy from probabilities: all four clip and take
//   t log p + (1 - t) log(1 - p) alike, but TensorFlow, in a compiled
//   function, first recovers the logits of a sigmoid output and uses the
//   logits formula instead (tf.keras 2 also added epsilon inside the logs);
// - binary crossentropy from logits: the stable
//   max(x, 0) - x z + log1p(exp(-|x|)) of the torch, jax and TF backends; the
//   numpy backend alone takes sigmoid(x), clips it and takes logs;
// - sparse categorical crossentropy from probabilities normalises p by its
//   row sum and then clips; TensorFlow clips first and renormalises afterwards
//   (through sparse_softmax_cross_entropy_with_logits on log p);
// - TensorFlow, in a compiled function, replaces the probabilities of a
//   softmax output by its logits; here that substitution is the caller's
//   choice (softmax_crossentropy).
// A term whose target is 0 adds exactly 0 to Keras's sum (the clipped log is
// finite), so it is skipped: a one-hot row costs one log, not one per class.
#include "kernas/ops/losses.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernas/cpu_features.h"
#include "kernas/parallel.h"

namespace kernas {
namespace {

// Rows per chunk of the batch sum: part of the result's definition, never
// derived from the thread count.
constexpr int64_t kRowsPerChunk = 32;
// Elements per thread below which a second thread costs more than it saves.
constexpr int64_t kElementsPerThread = 1 << 14;

// Keras clips to float32(1e-7) and float32(1 - 1e-7) (= 1 - 2^-23).
const float kEps = static_cast<float>(kLossEpsilon);
const float kOneMinusEps = static_cast<float>(1.0 - kLossEpsilon);

float clip_probability(float p) { return p < kEps ? kEps : (p > kOneMinusEps ? kOneMinusEps : p); }

// Whether clipping passes p through, and with it the gradient (torch's clamp
// passes it at the bounds too).
bool inside_clip(float p) { return p >= kEps && p <= kOneMinusEps; }

float sign(float x) { return x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : 0.0f); }

float sigmoid(float x) {
  if (x >= 0.0f) return 1.0f / (1.0f + std::exp(-x));
  const float e = std::exp(x);
  return e / (1.0f + e);
}

const SoftmaxRowKernels& softmax_row_kernels() {
  return active_arch() == Arch::Avx2Fma ? kSoftmaxRowKernelsAvx2 : kSoftmaxRowKernelsReference;
}

struct RowResult {
  double loss;   // the row's unweighted loss
  bool clipped;  // softmax_crossentropy: Keras's probability path would clip a labelled entry
};

struct ChunkResult {
  double loss = 0.0;
  int64_t clipped = 0;
};

// Calls row(i, gscale, grad_row) for every row, where gscale = w_i / divisor
// scales the row's gradient (grad_row is null when no gradient is wanted),
// and reduces the weighted losses over fixed chunks in chunk order.
template <typename Row>
ChunkResult reduce_rows(int64_t rows, int64_t cols, const float* weights, double divisor, float* per_sample,
                        float* grad, const Row& row) {
  const auto run_chunk = [&](int64_t chunk) {
    ChunkResult result;
    const int64_t last = std::min(rows, (chunk + 1) * kRowsPerChunk);
    for (int64_t i = chunk * kRowsPerChunk; i < last; ++i) {
      const double weight = weights ? weights[i] : 1.0;
      const double gscale = divisor != 0.0 ? weight / divisor : 0.0;
      const RowResult r = row(i, gscale, grad ? grad + i * cols : nullptr);
      const double weighted = r.loss * weight;
      if (per_sample) per_sample[i] = static_cast<float>(weighted);
      result.loss += weighted;
      result.clipped += r.clipped ? 1 : 0;
    }
    return result;
  };
  const int64_t chunks = (rows + kRowsPerChunk - 1) / kRowsPerChunk;
  ChunkResult total;
  if (chunks == 1) {
    total = run_chunk(0);
  } else if (chunks > 1) {
    std::vector<ChunkResult> partial(static_cast<size_t>(chunks));
    const int64_t grain = std::max<int64_t>(1, kElementsPerThread / (kRowsPerChunk * std::max<int64_t>(cols, 1)));
    parallel_for(
        chunks, grain,
        [&](int64_t first, int64_t last) {
          for (int64_t c = first; c < last; ++c) partial[c] = run_chunk(c);
        },
        1);
    for (const ChunkResult& p : partial) {
      total.loss += p.loss;
      total.clipped += p.clipped;
    }
  }
  // Keras's divide_no_nan: no divisor, no loss.
  total.loss = divisor != 0.0 ? total.loss / divisor : 0.0;
  return total;
}

RowResult mean_squared_error_row(int64_t cols, const float* t, const float* p, double gscale, float* g) {
  double sum = 0.0;
  for (int64_t j = 0; j < cols; ++j) {
    const float e = t[j] - p[j];
    sum += e * e;
  }
  if (g) {
    const float s = static_cast<float>(2.0 * gscale / cols);
    for (int64_t j = 0; j < cols; ++j) g[j] = s * (p[j] - t[j]);
  }
  return {sum / cols, false};
}

RowResult mean_absolute_error_row(int64_t cols, const float* t, const float* p, double gscale, float* g) {
  double sum = 0.0;
  for (int64_t j = 0; j < cols; ++j) sum += std::fabs(t[j] - p[j]);
  if (g) {
    const float s = static_cast<float>(gscale / cols);
    for (int64_t j = 0; j < cols; ++j) g[j] = s * sign(p[j] - t[j]);
  }
  return {sum / cols, false};
}

RowResult huber_row(int64_t cols, float delta, const float* t, const float* p, double gscale, float* g) {
  const float half_delta_squared = 0.5f * (delta * delta);
  double sum = 0.0;
  for (int64_t j = 0; j < cols; ++j) {
    const float e = p[j] - t[j];
    const float a = std::fabs(e);
    sum += a <= delta ? 0.5f * (e * e) : delta * a - half_delta_squared;
  }
  if (g) {
    const float s = static_cast<float>(gscale / cols);
    for (int64_t j = 0; j < cols; ++j) {
      const float e = p[j] - t[j];
      g[j] = s * (std::fabs(e) <= delta ? e : delta * sign(e));
    }
  }
  return {sum / cols, false};
}

// Keras's label smoothing, t * (1 - ls) + offset, in float32 as Keras applies
// it (with ls = 0: t * 1 + 0, which is t).
struct Smoothing {
  float keep;
  float offset;
  float operator()(float t) const { return t * keep + offset; }
};

Smoothing binary_smoothing(double ls) { return {static_cast<float>(1.0 - ls), static_cast<float>(0.5 * ls)}; }

Smoothing categorical_smoothing(double ls, int64_t classes) {
  // Keras: y_true * (1 - ls) + ls / num_classes, num_classes cast to float32 first.
  return {static_cast<float>(1.0 - ls), static_cast<float>(ls) / static_cast<float>(classes)};
}

RowResult binary_crossentropy_row(int64_t cols, Smoothing smooth, const float* y_true, const float* p, double gscale,
                                  float* g) {
  double sum = 0.0;
  for (int64_t j = 0; j < cols; ++j) {
    const float t = smooth(y_true[j]);
    const float pc = clip_probability(p[j]);
    float bce = t != 0.0f ? t * std::log(pc) : 0.0f;
    if (t != 1.0f) bce += (1.0f - t) * std::log(1.0f - pc);
    sum -= bce;
  }
  if (g) {
    // d/dp of -(t log p + (1 - t) log(1 - p)) = (p - t) / (p (1 - p)); zero where clipping holds p.
    const float s = static_cast<float>(gscale / cols);
    for (int64_t j = 0; j < cols; ++j) {
      const float pj = p[j];
      g[j] = inside_clip(pj) ? s * ((pj - smooth(y_true[j])) / (pj * (1.0f - pj))) : 0.0f;
    }
  }
  return {sum / cols, false};
}

RowResult binary_crossentropy_logits_row(int64_t cols, Smoothing smooth, const float* y_true, const float* x,
                                         double gscale, float* g) {
  double sum = 0.0;
  for (int64_t j = 0; j < cols; ++j) {
    const float t = smooth(y_true[j]);
    sum += std::fmax(x[j], 0.0f) - x[j] * t + std::log1p(std::exp(-std::fabs(x[j])));
  }
  if (g) {
    const float s = static_cast<float>(gscale / cols);
    for (int64_t j = 0; j < cols; ++j) g[j] = s * (sigmoid(x[j]) - smooth(y_true[j]));
  }
  return {sum / cols, false};
}

float row_sum(int64_t cols, const float* p) {
  float sum = 0.0f;
  for (int64_t j = 0; j < cols; ++j) sum += p[j];
  return sum;
}

// Keras: q = p / sum(p), clipped; loss = -sum t log q. With a_j = dL/dq_j
// (-t_j / q_j where clipping passes q_j, else 0), dL/dp_k = (a_k - sum_j a_j q_j) / sum(p).
RowResult categorical_crossentropy_row(int64_t cols, Smoothing smooth, const float* y_true, const float* p,
                                       double gscale, float* g) {
  const float total = row_sum(cols, p);
  const auto dl_dq = [](float t, float q) { return t != 0.0f && inside_clip(q) ? -static_cast<double>(t) / q : 0.0; };
  double loss = 0.0, dot = 0.0;
  for (int64_t j = 0; j < cols; ++j) {
    const float t = smooth(y_true[j]);
    if (t == 0.0f) continue;
    const float q = p[j] / total;
    loss -= t * std::log(clip_probability(q));
    dot += dl_dq(t, q) * q;
  }
  if (g) {
    const double s = gscale / total;
    for (int64_t j = 0; j < cols; ++j) g[j] = static_cast<float>(s * (dl_dq(smooth(y_true[j]), p[j] / total) - dot));
  }
  return {loss, false};
}

RowResult sparse_categorical_crossentropy_row(int64_t cols, int64_t label, const float* p, double gscale, float* g) {
  const float total = row_sum(cols, p);
  const float q = p[label] / total;
  if (g) {
    // Only q_label carries loss: dL/dp_k = a (delta_k,label - q) / sum(p), a = -1/q (0 if clipped).
    const double a = inside_clip(q) ? -1.0 / q : 0.0;
    const float s = static_cast<float>(gscale * a / total);
    const float minus_q_term = -s * q;
    for (int64_t j = 0; j < cols; ++j) g[j] = minus_q_term;
    g[label] = static_cast<float>(gscale * a / total * (1.0 - q));
  }
  return {-std::log(clip_probability(q)), false};
}

// Softmax crossentropy from logits x, with e = exp(x - max) and lse =
// log(sum e): loss = sum(t) lse - sum t_j (x_j - max) and dL/dx_j =
// softmax_j sum(t) - t_j. e is kept in the gradient row (or else the
// probabilities row), which the results then overwrite in place; with
// neither, the e_j needed are recomputed. `clipped`: a labelled softmax_j lies
// outside Keras's clipping range.
class SoftmaxRow {
 public:
  SoftmaxRow(const SoftmaxRowKernels& kernels, int64_t cols, const float* x, float* e)
      : kernels_(kernels), x_(x), e_(e), max_(kernels.max(cols, x)), sum_exp_(kernels.exp_shifted(cols, x, max_, e)),
        inv_sum_(static_cast<float>(1.0 / sum_exp_)) {}

  float softmax(int64_t j) const { return (e_ ? e_[j] : kernels_.exp(x_[j] - max_)) * inv_sum_; }
  double log_softmax(int64_t j) const { return (static_cast<double>(x_[j]) - max_) - std::log(sum_exp_); }
  double lse() const { return std::log(sum_exp_); }
  double shifted(int64_t j) const { return static_cast<double>(x_[j]) - max_; }

 private:
  const SoftmaxRowKernels& kernels_;
  const float* x_;
  const float* e_;
  float max_;
  double sum_exp_;
  float inv_sum_;
};

// Dense (one-hot or soft) labels y_true, smoothed.
RowResult softmax_crossentropy_dense_row(const SoftmaxRowKernels& kernels, int64_t cols, Smoothing smooth,
                                         const float* y_true, const float* x, double gscale, float* probabilities,
                                         float* g) {
  const SoftmaxRow row(kernels, cols, x, g ? g : probabilities);
  double sum_t = 0.0, dot = 0.0;
  bool clipped = false;
  for (int64_t j = 0; j < cols; ++j) {
    const float t = smooth(y_true[j]);
    if (t == 0.0f) continue;
    sum_t += t;
    dot += t * row.shifted(j);
    clipped = clipped || !inside_clip(row.softmax(j));
  }
  if (probabilities)
    for (int64_t j = 0; j < cols; ++j) probabilities[j] = row.softmax(j);
  if (g) {
    const float s = static_cast<float>(gscale), st = static_cast<float>(sum_t);
    for (int64_t j = 0; j < cols; ++j) g[j] = s * (row.softmax(j) * st - smooth(y_true[j]));
  }
  return {sum_t * row.lse() - dot, clipped};
}

// A class index `label` in [0, cols).
RowResult softmax_crossentropy_sparse_row(const SoftmaxRowKernels& kernels, int64_t cols, int64_t label,
                                          const float* x, double gscale, float* probabilities, float* g) {
  const SoftmaxRow row(kernels, cols, x, g ? g : probabilities);
  const RowResult result{-row.log_softmax(label), !inside_clip(row.softmax(label))};
  if (probabilities)
    for (int64_t j = 0; j < cols; ++j) probabilities[j] = row.softmax(j);
  if (g) {
    const float s = static_cast<float>(gscale);
    const float label_term = s * (row.softmax(label) - 1.0f);
    for (int64_t j = 0; j < cols; ++j) g[j] = s * row.softmax(j);
    g[label] = label_term;
  }
  return result;
}

}  // namespace

float loss(const LossSpec& spec, int64_t rows, int64_t cols, const float* y_true, const float* y_pred,
           const float* weights, double divisor, float* per_sample, float* grad) {
  const auto reduce = [&](const auto& row_fn) {
    return static_cast<float>(reduce_rows(rows, cols, weights, divisor, per_sample, grad,
                                          [&](int64_t i, double gscale, float* g) {
                                            return row_fn(y_true + i * cols, y_pred + i * cols, gscale, g);
                                          })
                                  .loss);
  };
  const int64_t n = cols;
  switch (spec.kind) {
    case LossKind::MeanSquaredError:
      return reduce([&](const float* t, const float* p, double s, float* g) {
        return mean_squared_error_row(n, t, p, s, g);
      });
    case LossKind::MeanAbsoluteError:
      return reduce([&](const float* t, const float* p, double s, float* g) {
        return mean_absolute_error_row(n, t, p, s, g);
      });
    case LossKind::Huber: {
      const float delta = static_cast<float>(spec.delta);
      return reduce([&](const float* t, const float* p, double s, float* g) {
        return huber_row(n, delta, t, p, s, g);
      });
    }
    case LossKind::BinaryCrossentropy: {
      const Smoothing smooth = binary_smoothing(spec.label_smoothing);
      return reduce([&](const float* t, const float* p, double s, float* g) {
        return binary_crossentropy_row(n, smooth, t, p, s, g);
      });
    }
    case LossKind::BinaryCrossentropyFromLogits: {
      const Smoothing smooth = binary_smoothing(spec.label_smoothing);
      return reduce([&](const float* t, const float* p, double s, float* g) {
        return binary_crossentropy_logits_row(n, smooth, t, p, s, g);
      });
    }
    case LossKind::CategoricalCrossentropy: {
      const Smoothing smooth = categorical_smoothing(spec.label_smoothing, cols);
      return reduce([&](const float* t, const float* p, double s, float* g) {
        return categorical_crossentropy_row(n, smooth, t, p, s, g);
      });
    }
    case LossKind::CategoricalCrossentropyFromLogits: {
      const Smoothing smooth = categorical_smoothing(spec.label_smoothing, cols);
      const SoftmaxRowKernels& kernels = softmax_row_kernels();
      return reduce([&](const float* t, const float* x, double s, float* g) {
        return softmax_crossentropy_dense_row(kernels, n, smooth, t, x, s, nullptr, g);
      });
    }
  }
  return 0.0f;
}

float sparse_categorical_crossentropy(int64_t rows, int64_t classes, const int64_t* labels, const float* y_pred,
                                      bool from_logits, const float* weights, double divisor, float* per_sample,
                                      float* grad) {
  const SoftmaxRowKernels& kernels = softmax_row_kernels();
  const auto row = [&](int64_t i, double gscale, float* g) {
    const float* p = y_pred + i * classes;
    return from_logits ? softmax_crossentropy_sparse_row(kernels, classes, labels[i], p, gscale, nullptr, g)
                       : sparse_categorical_crossentropy_row(classes, labels[i], p, gscale, g);
  };
  return static_cast<float>(reduce_rows(rows, classes, weights, divisor, per_sample, grad, row).loss);
}

int64_t first_label_out_of_range(int64_t rows, int64_t classes, const int64_t* labels) {
  for (int64_t i = 0; i < rows; ++i)
    if (labels[i] < 0 || labels[i] >= classes) return i;
  return -1;
}

SoftmaxCrossentropyResult softmax_crossentropy(int64_t rows, int64_t classes, const float* logits,
                                               const float* y_true, const int64_t* labels, double label_smoothing,
                                               const float* weights, double divisor, float* per_sample,
                                               float* probabilities, float* grad) {
  const Smoothing smooth = categorical_smoothing(label_smoothing, classes);
  const SoftmaxRowKernels& kernels = softmax_row_kernels();
  const auto row = [&](int64_t i, double gscale, float* g) {
    const float* x = logits + i * classes;
    float* p = probabilities ? probabilities + i * classes : nullptr;
    return labels ? softmax_crossentropy_sparse_row(kernels, classes, labels[i], x, gscale, p, g)
                  : softmax_crossentropy_dense_row(kernels, classes, smooth, y_true + i * classes, x, gscale, p, g);
  };
  const ChunkResult result = reduce_rows(rows, classes, weights, divisor, per_sample, grad, row);
  return {static_cast<float>(result.loss), result.clipped};
}

}  // namespace kernas
