#include "kernas/ops/activations.h"

#include <cmath>

namespace kernas {
namespace {

constexpr float kSeluScale = 1.0507009873554804934193349852946f;
constexpr float kSeluAlpha = 1.6732632423543772848170429916717f;
constexpr float kSqrt2OverPi = 0.7978845608028654f;
constexpr float kInvSqrt2 = 0.7071067811865476f;
constexpr float kInvSqrt2Pi = 0.3989422804014327f;
constexpr float kGeluCubic = 0.044715f;

float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

// Keras 3's relu(x, negative_slope, max_value, threshold), term by term.
float relu(const ActivationSpec& s, float x) {
  float y = s.threshold != 0.0f ? (x > s.threshold ? x : 0.0f) : (x > 0.0f ? x : 0.0f);
  if (s.max_value < INFINITY) y = std::fmin(std::fmax(y, 0.0f), s.max_value);
  if (s.negative_slope != 0.0f) y -= s.negative_slope * std::fmax(s.threshold - x, 0.0f);
  return y;
}

float relu_grad(const ActivationSpec& s, float x) {
  const float passed = s.threshold != 0.0f ? (x > s.threshold ? x : 0.0f) : (x > 0.0f ? x : 0.0f);
  float g = (s.threshold != 0.0f ? x > s.threshold : x > 0.0f) ? 1.0f : 0.0f;
  if (s.max_value < INFINITY && !(passed >= 0.0f && passed <= s.max_value)) g = 0.0f;
  if (s.negative_slope != 0.0f && s.threshold - x > 0.0f) g += s.negative_slope;
  return g;
}

float forward_one(const ActivationSpec& s, float x) {
  switch (s.kind) {
    case ActivationKind::Relu: return relu(s, x);
    case ActivationKind::LeakyRelu: return x > 0.0f ? x : s.negative_slope * x;
    case ActivationKind::Elu: return x > 0.0f ? x : s.alpha * std::expm1(x);
    case ActivationKind::Selu: return kSeluScale * (x > 0.0f ? x : kSeluAlpha * std::expm1(x));
    case ActivationKind::Sigmoid: return sigmoid(x);
    case ActivationKind::Tanh: return std::tanh(x);
    case ActivationKind::Softplus: return std::fmax(x, 0.0f) + std::log1p(std::exp(-std::fabs(x)));
    case ActivationKind::Softsign: return x / (1.0f + std::fabs(x));
    case ActivationKind::Silu: return x * sigmoid(x);
    case ActivationKind::Gelu: return 0.5f * x * (1.0f + std::erf(x * kInvSqrt2));
    case ActivationKind::GeluTanh:
      return 0.5f * x * (1.0f + std::tanh(kSqrt2OverPi * (x + kGeluCubic * x * x * x)));
    case ActivationKind::HardSigmoid: return std::fmin(std::fmax(x + 3.0f, 0.0f), 6.0f) / 6.0f;
    case ActivationKind::Exponential: return std::exp(x);
    default: return x;
  }
}

// dy/dx at input x with output y.
float derivative_one(const ActivationSpec& s, float x, float y) {
  switch (s.kind) {
    case ActivationKind::Relu: return relu_grad(s, x);
    case ActivationKind::LeakyRelu: return x > 0.0f ? 1.0f : s.negative_slope;
    case ActivationKind::Elu: return x > 0.0f ? 1.0f : s.alpha * std::exp(x);
    case ActivationKind::Selu: return kSeluScale * (x > 0.0f ? 1.0f : kSeluAlpha * std::exp(x));
    case ActivationKind::Sigmoid: return y * (1.0f - y);
    case ActivationKind::Tanh: return 1.0f - y * y;
    case ActivationKind::Softplus: return sigmoid(x);
    case ActivationKind::Softsign: {
      const float d = 1.0f + std::fabs(x);
      return 1.0f / (d * d);
    }
    case ActivationKind::Silu: {
      const float sg = sigmoid(x);
      return sg * (1.0f + x * (1.0f - sg));
    }
    case ActivationKind::Gelu:
      return 0.5f * (1.0f + std::erf(x * kInvSqrt2)) + x * kInvSqrt2Pi * std::exp(-0.5f * x * x);
    case ActivationKind::GeluTanh: {
      const float t = std::tanh(kSqrt2OverPi * (x + kGeluCubic * x * x * x));
      return 0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * kSqrt2OverPi * (1.0f + 3.0f * kGeluCubic * x * x);
    }
    case ActivationKind::HardSigmoid: return (x > -3.0f && x < 3.0f) ? 1.0f / 6.0f : 0.0f;
    case ActivationKind::Exponential: return y;
    default: return 1.0f;
  }
}

void softmax_row(bool log, int64_t n, const float* x, float* y) {
  float max = -INFINITY;
  for (int64_t j = 0; j < n; ++j) max = std::fmax(max, x[j]);
  float sum = 0.0f;
  for (int64_t j = 0; j < n; ++j) sum += std::exp(x[j] - max);
  if (log) {
    const float shift = max + std::log(sum);
    for (int64_t j = 0; j < n; ++j) y[j] = x[j] - shift;
  } else {
    for (int64_t j = 0; j < n; ++j) y[j] = std::exp(x[j] - max) / sum;
  }
}

void softmax_row_backward(bool log, int64_t n, const float* y, const float* dy, float* dx) {
  float dot = 0.0f;
  for (int64_t j = 0; j < n; ++j) dot += log ? dy[j] : dy[j] * y[j];
  for (int64_t j = 0; j < n; ++j) dx[j] = log ? dy[j] - std::exp(y[j]) * dot : y[j] * (dy[j] - dot);
}

bool is_row_wise(ActivationKind kind) { return kind == ActivationKind::Softmax || kind == ActivationKind::LogSoftmax; }

}  // namespace

bool activation_is_elementwise(ActivationKind kind) { return !is_row_wise(kind); }

ActivationNeeds activation_backward_needs(ActivationKind kind) {
  switch (kind) {
    case ActivationKind::Linear: return {false, false};
    case ActivationKind::Sigmoid:
    case ActivationKind::Tanh:
    case ActivationKind::Softmax:
    case ActivationKind::LogSoftmax:
    case ActivationKind::Exponential: return {false, true};
    default: return {true, false};
  }
}

void activation_forward(const ActivationSpec& spec, int64_t rows, int64_t cols, const float* x, float* y) {
  if (is_row_wise(spec.kind)) {
    for (int64_t i = 0; i < rows; ++i) softmax_row(spec.kind == ActivationKind::LogSoftmax, cols, x + i * cols, y + i * cols);
    return;
  }
  for (int64_t i = 0; i < rows * cols; ++i) y[i] = forward_one(spec, x[i]);
}

void activation_backward(const ActivationSpec& spec, int64_t rows, int64_t cols, const float* x, const float* y,
                         const float* dy, float* dx) {
  if (is_row_wise(spec.kind)) {
    for (int64_t i = 0; i < rows; ++i)
      softmax_row_backward(spec.kind == ActivationKind::LogSoftmax, cols, y + i * cols, dy + i * cols, dx + i * cols);
    return;
  }
  for (int64_t i = 0; i < rows * cols; ++i) dx[i] = dy[i] * derivative_one(spec, x ? x[i] : 0.0f, y ? y[i] : 0.0f);
}

void activation_forward_inplace_serial(const ActivationSpec& spec, int64_t count, float* data) {
  for (int64_t i = 0; i < count; ++i) data[i] = forward_one(spec, data[i]);
}

}  // namespace kernas
