// _core.ActivationSpec: an activation by Keras name plus its parameters,
// passed to every kernel that applies one.
#include <string>
#include <utility>

#include "common.h"
#include "kernas/ops/activations.h"

namespace kernas::bindings {
namespace {

const std::pair<const char*, ActivationKind> kActivationNames[] = {
    {"linear", ActivationKind::Linear},
    {"relu", ActivationKind::Relu},
    {"leaky_relu", ActivationKind::LeakyRelu},
    {"elu", ActivationKind::Elu},
    {"selu", ActivationKind::Selu},
    {"sigmoid", ActivationKind::Sigmoid},
    {"tanh", ActivationKind::Tanh},
    {"softmax", ActivationKind::Softmax},
    {"log_softmax", ActivationKind::LogSoftmax},
    {"softplus", ActivationKind::Softplus},
    {"softsign", ActivationKind::Softsign},
    {"silu", ActivationKind::Silu},
    {"gelu", ActivationKind::Gelu},
    {"gelu_tanh", ActivationKind::GeluTanh},
    {"hard_sigmoid", ActivationKind::HardSigmoid},
    {"exponential", ActivationKind::Exponential},
};

ActivationSpec make_spec(const std::string& name, float negative_slope, float max_value, float threshold,
                         float alpha) {
  for (const auto& [known, kind] : kActivationNames)
    if (name == known) return {kind, negative_slope, max_value, threshold, alpha};
  std::string names;
  for (const auto& entry : kActivationNames) names += (names.empty() ? "" : ", ") + std::string(entry.first);
  fail("Expected an activation name, one of: " + names + ". Received: name='" + name + "'.");
}

std::string spec_name(const ActivationSpec& spec) {
  for (const auto& [known, kind] : kActivationNames)
    if (spec.kind == kind) return known;
  return "unknown";
}

}  // namespace

void bind_activation_spec(py::module_& module) {
  py::class_<ActivationSpec>(module, "ActivationSpec")
      .def(py::init(&make_spec), py::arg("name"), py::arg("negative_slope"), py::arg("max_value"),
           py::arg("threshold"), py::arg("alpha"))
      .def_property_readonly("name", &spec_name)
      .def_readonly("negative_slope", &ActivationSpec::negative_slope)
      .def_readonly("max_value", &ActivationSpec::max_value)
      .def_readonly("threshold", &ActivationSpec::threshold)
      .def_readonly("alpha", &ActivationSpec::alpha)
      .def_property_readonly("elementwise", [](const ActivationSpec& spec) { return activation_is_elementwise(spec.kind); })
      .def_property_readonly("backward_needs_input",
                             [](const ActivationSpec& spec) { return activation_backward_needs(spec).input; })
      .def_property_readonly("backward_needs_output",
                             [](const ActivationSpec& spec) { return activation_backward_needs(spec).output; });
}

}  // namespace kernas::bindings
