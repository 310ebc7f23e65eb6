// kernas._core: one bind_* call per kernel area (each in its own file), plus
// the process-wide settings. Friendly argument handling lives in kernas.ops.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string>

#include "common.h"
#include "kernas/allocator_settings.h"
#include "kernas/cpu_features.h"
#include "kernas/parallel.h"

namespace py = pybind11;
using namespace kernas::bindings;

PYBIND11_MODULE(_core, module) {
  module.doc() = "kernas native kernels";
  kernas::apply_arch_environment();
  kernas::retain_freed_memory();

  bind_gemm(module);
  bind_activation_spec(module);
  bind_dense(module);
  bind_activations(module);
  bind_conv(module);
  bind_pooling(module);
  bind_losses(module);
  bind_dropout(module);
  bind_optimizers(module);
  bind_batch_norm(module);

  // Which sanitizers this build carries ("" for a normal build), so a test run
  // can prove it ran the instrumented kernels.
#ifdef KERNAS_SANITIZERS
  module.attr("sanitizers") = KERNAS_SANITIZERS;
#else
  module.attr("sanitizers") = "";
#endif

  module.attr("MAX_THREADS") = kernas::kMaxThreads;
  module.def("num_threads", &kernas::num_threads);
  module.def("set_num_threads", [](int n) {
    if (n < 1 || n > kernas::kMaxThreads)
      fail("Expected a thread count between 1 and " + std::to_string(kernas::kMaxThreads) +
           ". Received: n=" + std::to_string(n) + ".");
    kernas::set_num_threads(n);
  });
  module.def("active_arch", [] { return kernas::arch_name(kernas::active_arch()); });
  module.def("supported_archs", &kernas::supported_arch_names);
  // std::invalid_argument from here (and from apply_arch_environment) reaches Python as ValueError.
  module.def("set_active_arch", &kernas::set_active_arch);
}
