#include "common.h"

namespace kernas::bindings {

void bind_conv(py::module_& module) { (void)module; }

}  // namespace kernas::bindings
