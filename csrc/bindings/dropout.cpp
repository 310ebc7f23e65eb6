#include "common.h"

namespace kernas::bindings {

void bind_dropout(py::module_& module) { (void)module; }

}  // namespace kernas::bindings
