#pragma once

namespace kernas {

// Keeps large freed blocks in the C heap instead of returning them to the OS.
//
// A training step allocates and frees the same multi-megabyte NumPy arrays
// (layer outputs, gradients) every step. With glibc's defaults those blocks
// are handed back to the kernel when freed and every page faults in again on
// the next step, which cost a third of a convnet step. Raising the mmap and
// trim thresholds lets the next step reuse the memory; the price is that up
// to 256 MiB of freed memory stays in the process. No effect
// outside glibc.
void retain_freed_memory();

}  // namespace kernas
