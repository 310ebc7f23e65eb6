#include <string>

#include "common.h"
#include "kernas/ops/losses.h"

namespace kernas::bindings {
namespace {

// Any real array converts to int64 (a copy only when needed; floats truncate,
// so kernas.ops.losses rejects non-integer labels before calling).
using LabelArray = py::array_t<int64_t, py::array::c_style | py::array::forcecast>;

const float* optional_data(const std::optional<InputArray>& array) { return array ? array->data() : nullptr; }

void require_weights(const std::optional<InputArray>& sample_weight, int64_t rows) {
  if (sample_weight) require_shape(*sample_weight, {rows}, "sample_weight");
}

void require_labels(const LabelArray& labels, int64_t rows, int64_t classes) {
  require_shape(labels, {rows}, "labels");
  const int64_t bad = kernas::first_label_out_of_range(rows, classes, labels.data());
  if (bad >= 0)
    fail("Expected every label to be a class index in [0, " + std::to_string(classes) +
         "). Received: label=" + std::to_string(labels.data()[bad]) + " at index " + std::to_string(bad) +
         ", while y_pred has " + std::to_string(classes) + " classes.");
}

float loss(LossKind kind, const InputArray& y_true, const InputArray& y_pred,
           const std::optional<InputArray>& sample_weight, double divisor, std::optional<py::array> per_sample,
           std::optional<py::array> grad, double delta, double label_smoothing) {
  require_ndim(y_pred, 2, "y_pred");
  const int64_t rows = y_pred.shape(0), cols = y_pred.shape(1);
  require_shape(y_true, {rows, cols}, "y_true");
  require_weights(sample_weight, rows);
  float* per_sample_data = optional_output(per_sample, {rows}, "per_sample");
  float* grad_data = optional_output(grad, {rows, cols}, "grad");
  require_all_disjoint({{present(per_sample), "per_sample"}, {present(grad), "grad"}},
                       {{&y_true, "y_true"}, {&y_pred, "y_pred"},
                        {present(sample_weight), "sample_weight"}});
  const LossSpec spec{kind, delta, label_smoothing};
  const float *t = y_true.data(), *p = y_pred.data(), *w = optional_data(sample_weight);
  py::gil_scoped_release release;
  return kernas::loss(spec, rows, cols, t, p, w, divisor, per_sample_data, grad_data);
}

float sparse_categorical_crossentropy(const LabelArray& labels, const InputArray& y_pred, bool from_logits,
                                      const std::optional<InputArray>& sample_weight, double divisor,
                                      std::optional<py::array> per_sample, std::optional<py::array> grad) {
  require_ndim(y_pred, 2, "y_pred");
  const int64_t rows = y_pred.shape(0), classes = y_pred.shape(1);
  require_labels(labels, rows, classes);
  require_weights(sample_weight, rows);
  float* per_sample_data = optional_output(per_sample, {rows}, "per_sample");
  float* grad_data = optional_output(grad, {rows, classes}, "grad");
  require_all_disjoint({{present(per_sample), "per_sample"}, {present(grad), "grad"}},
                       {{&labels, "labels"}, {&y_pred, "y_pred"},
                        {present(sample_weight), "sample_weight"}});
  const int64_t* l = labels.data();
  const float *p = y_pred.data(), *w = optional_data(sample_weight);
  py::gil_scoped_release release;
  return kernas::sparse_categorical_crossentropy(rows, classes, l, p, from_logits, w, divisor, per_sample_data,
                                                 grad_data);
}

std::pair<float, int64_t> softmax_crossentropy(const InputArray& logits, const std::optional<InputArray>& y_true,
                                               const std::optional<LabelArray>& labels, double label_smoothing,
                                               const std::optional<InputArray>& sample_weight, double divisor,
                                               std::optional<py::array> per_sample,
                                               std::optional<py::array> probabilities, std::optional<py::array> grad) {
  require_ndim(logits, 2, "logits");
  const int64_t rows = logits.shape(0), classes = logits.shape(1);
  if (y_true.has_value() == labels.has_value())
    fail("Expected exactly one of `y_true` (one-hot labels) and `labels` (class indices). Received: " +
         std::string(y_true ? "both." : "neither."));
  if (y_true) require_shape(*y_true, {rows, classes}, "y_true");
  if (labels) require_labels(*labels, rows, classes);
  require_weights(sample_weight, rows);
  float* per_sample_data = optional_output(per_sample, {rows}, "per_sample");
  float* probabilities_data = optional_output(probabilities, {rows, classes}, "probabilities");
  float* grad_data = optional_output(grad, {rows, classes}, "grad");
  require_all_disjoint({{present(per_sample), "per_sample"},
                        {present(probabilities), "probabilities"},
                        {present(grad), "grad"}},
                       {{&logits, "logits"},
                        {y_true ? &*y_true : nullptr, "y_true"},
                        {labels ? &*labels : nullptr, "labels"},
                        {present(sample_weight), "sample_weight"}});
  const float *x = logits.data(), *t = optional_data(y_true), *w = optional_data(sample_weight);
  const int64_t* l = labels ? labels->data() : nullptr;
  py::gil_scoped_release release;
  const SoftmaxCrossentropyResult result = kernas::softmax_crossentropy(
      rows, classes, x, t, l, label_smoothing, w, divisor, per_sample_data, probabilities_data, grad_data);
  return {result.loss, result.clipped_rows};
}

}  // namespace

void bind_losses(py::module_& module) {
  py::enum_<LossKind>(module, "LossKind", "The losses of _core.loss (their Keras names).")
      .value("mean_squared_error", LossKind::MeanSquaredError)
      .value("mean_absolute_error", LossKind::MeanAbsoluteError)
      .value("huber", LossKind::Huber)
      .value("binary_crossentropy", LossKind::BinaryCrossentropy)
      .value("binary_crossentropy_from_logits", LossKind::BinaryCrossentropyFromLogits)
      .value("categorical_crossentropy", LossKind::CategoricalCrossentropy)
      .value("categorical_crossentropy_from_logits", LossKind::CategoricalCrossentropyFromLogits);
  module.def("loss", &loss, py::arg("kind"), py::arg("y_true"), py::arg("y_pred"), py::arg("sample_weight"),
             py::arg("divisor"), py::arg("per_sample"), py::arg("grad"), py::arg("delta") = 1.0,
             py::arg("label_smoothing") = 0.0,
             "sum(loss_i * w_i) / divisor over the rows of (rows, cols) arrays; writes per_sample and grad "
             "(d loss / d y_pred) unless None.");
  module.def("sparse_categorical_crossentropy", &sparse_categorical_crossentropy, py::arg("labels"),
             py::arg("y_pred"), py::arg("from_logits"), py::arg("sample_weight"), py::arg("divisor"),
             py::arg("per_sample"), py::arg("grad"),
             "Sparse categorical crossentropy of int64 labels (rows,) against y_pred (rows, classes).");
  module.def("softmax_crossentropy", &softmax_crossentropy, py::arg("logits"), py::arg("y_true"), py::arg("labels"),
             py::arg("label_smoothing"), py::arg("sample_weight"), py::arg("divisor"), py::arg("per_sample"),
             py::arg("probabilities"), py::arg("grad"),
             "Crossentropy of softmax(logits), fused with its gradient; returns (loss, clipped_rows).");
}

}  // namespace kernas::bindings
