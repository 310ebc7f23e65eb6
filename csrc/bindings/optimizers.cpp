#include <algorithm>
#include <string>
#include <vector>

#include "common.h"
#include "kernas/ops/optimizers.h"

namespace kernas::bindings {
namespace {

std::string item_name(const char* list, size_t index) { return std::string(list) + "[" + std::to_string(index) + "]"; }

// The variables of one update, checked: every array an update writes is a
// float32 C-contiguous writeable ndarray with its variable's shape, and no
// written array overlaps any other array of the call.
class Variables {
 public:
  Variables(const py::sequence& weights, const py::sequence& gradients) : tensors_(weights.size()) {
    if (gradients.size() != weights.size())
      fail("Expected as many gradients as weights. Received: len(grads)=" + std::to_string(gradients.size()) +
           ", len(weights)=" + std::to_string(weights.size()) + ".");
    weights_.reserve(tensors_.size());
    held_.reserve(4 * tensors_.size());
    buffers_.reserve(5 * tensors_.size());
    for (size_t i = 0; i < tensors_.size(); ++i) {
      py::array w = in_place_array(weights[i], "weights", i);
      tensors_[i].size = w.size();
      tensors_[i].weights = static_cast<float*>(w.mutable_data());
      weights_.push_back(w);
      remember(w, "weights", i, true);
      const py::array g = gradient_array(gradients[i], i);
      require_same_shape(g, "grads", i);
      tensors_[i].gradient = static_cast<const float*>(g.data());
      remember(g, "grads", i, false);
      held_.push_back(g);
    }
  }

  // Slot `slot` of every variable from `arrays` (a sequence or None). An
  // optimizer that `needs` the slot must get it.
  void add_slots(int slot, const py::object& arrays, const char* name, bool needs) {
    if (arrays.is_none()) {
      if (needs)
        fail(std::string("Expected `") + name + "`, a list of float32 arrays shaped like the weights, for these " +
             "hyperparameters. Received: " + name + "=None.");
      return;
    }
    const py::sequence list = arrays.cast<py::sequence>();
    if (list.size() != tensors_.size())
      fail(std::string("Expected one `") + name + "` array per weight. Received: len(" + name +
           ")=" + std::to_string(list.size()) + ", len(weights)=" + std::to_string(tensors_.size()) + ".");
    for (size_t i = 0; i < tensors_.size(); ++i) {
      py::array a = in_place_array(list[i], name, i);
      require_same_shape(a, name, i);
      tensors_[i].slots[slot] = static_cast<float*>(a.mutable_data());
      remember(a, name, i, true);
      held_.push_back(a);
    }
  }

  // Weight decay (Keras's weight_decay; None: none) for the variables whose
  // flag in `decay_flags` is true (None: all).
  double set_weight_decay(const std::optional<double>& weight_decay, const py::object& decay_flags) {
    std::vector<bool> flags(tensors_.size(), weight_decay.has_value());
    if (!decay_flags.is_none()) {
      const py::sequence list = decay_flags.cast<py::sequence>();
      if (list.size() != tensors_.size())
        fail("Expected one weight-decay flag per weight. Received: len(use_weight_decay)=" +
             std::to_string(list.size()) + ", len(weights)=" + std::to_string(tensors_.size()) + ".");
      for (size_t i = 0; i < tensors_.size(); ++i) {
        const py::object flag = list[i];
        if (!py::isinstance<py::bool_>(flag))
          throw py::type_error("Expected `use_weight_decay[" + std::to_string(i) + "]` to be True or False. Received: " +
                               std::string(py::repr(flag)) + ".");
        flags[i] = flags[i] && flag.cast<bool>();
      }
    }
    for (size_t i = 0; i < tensors_.size(); ++i) tensors_[i].decay = flags[i];
    return weight_decay.value_or(0.0);
  }

  // Fails if an array the update writes shares memory with any other array.
  void require_disjoint() {
    std::sort(buffers_.begin(), buffers_.end(), [](const Buffer& a, const Buffer& b) { return a.begin < b.begin; });
    const Buffer* furthest = nullptr;          // of all arrays so far, the one reaching furthest
    const Buffer* furthest_written = nullptr;  // of the written ones
    for (const Buffer& b : buffers_) {
      if (furthest_written && b.begin < furthest_written->end) overlap(b, *furthest_written);
      if (b.written && furthest && b.begin < furthest->end) overlap(b, *furthest);
      if (!furthest || b.end > furthest->end) furthest = &b;
      if (b.written && (!furthest_written || b.end > furthest_written->end)) furthest_written = &b;
    }
  }

  const OptimizerTensor* data() const { return tensors_.data(); }
  int64_t count() const { return static_cast<int64_t>(tensors_.size()); }

 private:
  struct Buffer {
    const char* begin;
    const char* end;
    const char* list;
    size_t index;
    bool written;
  };

  static py::array in_place_array(const py::handle& item, const char* list, size_t i) {
    if (!py::isinstance<py::array>(item))
      throw py::type_error("Expected `" + item_name(list, i) +
                           "` to be a NumPy array, updated in place. Received: an object of type " +
                           std::string(py::str(py::type::handle_of(item).attr("__name__"))) +
                           ". Create it with np.zeros(shape, dtype='float32').");
    py::array array = py::reinterpret_borrow<py::array>(item);
    if (!py::isinstance<py::array_t<float>>(array))
      throw py::type_error("Expected `" + item_name(list, i) + "` to have dtype float32 (it is updated in place). " +
                           "Received: dtype=" + std::string(py::str(array.dtype())) +
                           ". Convert it once with x.astype('float32') and keep the float32 array.");
    require_output(array, item_name(list, i).c_str());
    return array;
  }

  static py::array gradient_array(const py::handle& item, size_t i) {
    if (py::isinstance<py::array>(item)) {
      const char kind = py::reinterpret_borrow<py::array>(item).dtype().kind();
      if (kind != 'f' && kind != 'i' && kind != 'u' && kind != 'b')
        throw py::type_error("Expected `" + item_name("grads", i) + "` to hold real numbers. Received: dtype=" +
                             std::string(py::str(py::reinterpret_borrow<py::array>(item).dtype())) + ".");
    }
    // ensure() clears the Python error when the item does not convert, so say what was wrong here.
    InputArray array = InputArray::ensure(item);
    if (!array)
      throw py::type_error("Expected `" + item_name("grads", i) + "` to be an array of real numbers. Received: " +
                           "an object of type " + std::string(py::str(py::type::handle_of(item).attr("__name__"))) +
                           ".");
    return std::move(array);
  }

  void require_same_shape(const py::array& array, const char* list, size_t i) const {
    const py::array& w = weights_[i];
    bool same = array.ndim() == w.ndim();
    for (py::ssize_t d = 0; same && d < w.ndim(); ++d) same = array.shape(d) == w.shape(d);
    if (!same)
      fail("Expected `" + item_name(list, i) + "` to have the shape of `weights[" + std::to_string(i) + "]`, " +
           shape_text(w) + ". Received: " + item_name(list, i) + ".shape=" + shape_text(array) + ".");
  }

  void remember(const py::array& array, const char* list, size_t i, bool written) {
    if (array.nbytes() == 0) return;
    const char* begin = static_cast<const char*>(array.data());
    buffers_.push_back({begin, begin + array.nbytes(), list, i, written});
  }

  [[noreturn]] static void overlap(const Buffer& a, const Buffer& b) {
    fail("Expected every array of an optimizer update to have its own memory. Received: `" +
         item_name(a.list, a.index) + "` and `" + item_name(b.list, b.index) +
         "` share memory. Allocate each slot and weight separately (np.zeros_like for each).");
  }

  std::vector<OptimizerTensor> tensors_;
  std::vector<py::array> weights_;    // whose shapes the other arrays must have
  std::vector<py::array> held_;       // gradients (maybe converted) and slots, alive until the update is done
  std::vector<Buffer> buffers_;
};

GradientClipping clipping(const std::string& kind, double threshold) {
  if (kind == "none") return {};
  if (!(threshold > 0.0)) fail("Expected a positive clipping threshold. Received: " + std::to_string(threshold) + ".");
  if (kind == "value") return {ClipKind::Value, threshold};
  if (kind == "norm") return {ClipKind::Norm, threshold};
  if (kind == "global_norm") return {ClipKind::GlobalNorm, threshold};
  fail("Expected clip_kind 'none', 'value', 'norm' or 'global_norm'. Received: '" + kind + "'.");
}

template <class Options>
Options common_options(Variables& variables, double learning_rate, const std::optional<double>& weight_decay,
                       const py::object& decay_flags, const std::string& clip_kind, double clip_threshold) {
  Options options;
  options.learning_rate = learning_rate;
  options.weight_decay = variables.set_weight_decay(weight_decay, decay_flags);
  options.clipping = clipping(clip_kind, clip_threshold);
  return options;
}

void sgd_update(const py::sequence& weights, const py::sequence& grads, const py::object& momentums,
                double learning_rate, double momentum, bool nesterov, std::optional<double> weight_decay,
                const py::object& use_weight_decay, const std::string& clip_kind, double clip_threshold) {
  Variables variables(weights, grads);
  variables.add_slots(0, momentums, "momentums", momentum != 0.0);
  variables.require_disjoint();
  auto options = common_options<SgdOptions>(variables, learning_rate, weight_decay, use_weight_decay, clip_kind,
                                            clip_threshold);
  options.momentum = momentum;
  options.nesterov = nesterov;
  py::gil_scoped_release release;
  kernas::sgd_update(options, variables.data(), variables.count());
}

void adam_update(const py::sequence& weights, const py::sequence& grads, const py::object& momentums,
                 const py::object& velocities, const py::object& velocity_hats, int64_t step, double learning_rate,
                 double beta_1, double beta_2, double epsilon, bool amsgrad, std::optional<double> weight_decay,
                 const py::object& use_weight_decay, const std::string& clip_kind, double clip_threshold) {
  Variables variables(weights, grads);
  variables.add_slots(0, momentums, "momentums", true);
  variables.add_slots(1, velocities, "velocities", true);
  variables.add_slots(2, velocity_hats, "velocity_hats", amsgrad);
  variables.require_disjoint();
  // Adam's bias correction divides by 1 - beta_1**step: step 0 would turn every weight into NaN.
  if (step < 1) fail("Expected `step` >= 1 (the first update is step 1). Received: step=" + std::to_string(step) + ".");
  auto options = common_options<AdamOptions>(variables, learning_rate, weight_decay, use_weight_decay, clip_kind,
                                             clip_threshold);
  options.step = step;
  options.beta_1 = beta_1;
  options.beta_2 = beta_2;
  options.epsilon = epsilon;
  options.amsgrad = amsgrad;
  py::gil_scoped_release release;
  kernas::adam_update(options, variables.data(), variables.count());
}

void rmsprop_update(const py::sequence& weights, const py::sequence& grads, const py::object& velocities,
                    const py::object& momentums, const py::object& average_gradients, double learning_rate,
                    double rho, double momentum, double epsilon, bool centered, std::optional<double> weight_decay,
                    const py::object& use_weight_decay, const std::string& clip_kind, double clip_threshold) {
  Variables variables(weights, grads);
  variables.add_slots(0, velocities, "velocities", true);
  variables.add_slots(1, momentums, "momentums", momentum > 0.0);
  variables.add_slots(2, average_gradients, "average_gradients", centered);
  variables.require_disjoint();
  auto options = common_options<RmspropOptions>(variables, learning_rate, weight_decay, use_weight_decay, clip_kind,
                                                clip_threshold);
  options.rho = rho;
  options.momentum = momentum;
  options.epsilon = epsilon;
  options.centered = centered;
  py::gil_scoped_release release;
  kernas::rmsprop_update(options, variables.data(), variables.count());
}

void adagrad_update(const py::sequence& weights, const py::sequence& grads, const py::object& accumulators,
                    double learning_rate, double epsilon, std::optional<double> weight_decay,
                    const py::object& use_weight_decay, const std::string& clip_kind, double clip_threshold) {
  Variables variables(weights, grads);
  variables.add_slots(0, accumulators, "accumulators", true);
  variables.require_disjoint();
  auto options = common_options<AdagradOptions>(variables, learning_rate, weight_decay, use_weight_decay, clip_kind,
                                                clip_threshold);
  options.epsilon = epsilon;
  py::gil_scoped_release release;
  kernas::adagrad_update(options, variables.data(), variables.count());
}

}  // namespace

void bind_optimizers(py::module_& module) {
  module.def("sgd_update", &sgd_update, py::arg("weights"), py::arg("grads"), py::arg("momentums"),
             py::arg("learning_rate"), py::arg("momentum"), py::arg("nesterov"), py::arg("weight_decay"),
             py::arg("use_weight_decay"), py::arg("clip_kind"), py::arg("clip_threshold"),
             "One Keras SGD step over lists of float32 arrays, in place.");
  module.def("adam_update", &adam_update, py::arg("weights"), py::arg("grads"), py::arg("momentums"),
             py::arg("velocities"), py::arg("velocity_hats"), py::arg("step"), py::arg("learning_rate"),
             py::arg("beta_1"), py::arg("beta_2"), py::arg("epsilon"), py::arg("amsgrad"), py::arg("weight_decay"),
             py::arg("use_weight_decay"), py::arg("clip_kind"), py::arg("clip_threshold"),
             "One Keras Adam / AdamW step over lists of float32 arrays, in place.");
  module.def("rmsprop_update", &rmsprop_update, py::arg("weights"), py::arg("grads"), py::arg("velocities"),
             py::arg("momentums"), py::arg("average_gradients"), py::arg("learning_rate"), py::arg("rho"),
             py::arg("momentum"), py::arg("epsilon"), py::arg("centered"), py::arg("weight_decay"),
             py::arg("use_weight_decay"), py::arg("clip_kind"), py::arg("clip_threshold"),
             "One Keras RMSprop step over lists of float32 arrays, in place.");
  module.def("adagrad_update", &adagrad_update, py::arg("weights"), py::arg("grads"), py::arg("accumulators"),
             py::arg("learning_rate"), py::arg("epsilon"), py::arg("weight_decay"), py::arg("use_weight_decay"),
             py::arg("clip_kind"), py::arg("clip_threshold"),
             "One Keras Adagrad step over lists of float32 arrays, in place.");
}

}  // namespace kernas::bindings
