#include "common.h"

namespace kernas::bindings {

void bind_activations(py::module_& module) { (void)module; }

}  // namespace kernas::bindings
