#include "common.h"

namespace kernas::bindings {

void bind_pooling(py::module_& module) { (void)module; }

}  // namespace kernas::bindings
