#include "common.h"

namespace kernas::bindings {

void bind_optimizers(py::module_& module) { (void)module; }

}  // namespace kernas::bindings
