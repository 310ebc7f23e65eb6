#include "common.h"

namespace kernas::bindings {

void bind_losses(py::module_& module) { (void)module; }

}  // namespace kernas::bindings
