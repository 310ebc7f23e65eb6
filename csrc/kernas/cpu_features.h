// Which kernel set runs: detected once from cpuid, overridable for tests and
// for users chasing a suspected SIMD bug (KERNAS_ARCH=reference).
#pragma once

#include <string>
#include <vector>

namespace kernas {

enum class Arch { Reference, Avx2Fma };

// The kernel set every dispatching kernel uses right now.
Arch active_arch();

// Kernel-set names ("reference", "avx2-fma") this CPU can run, best last.
std::vector<std::string> supported_arch_names();
std::string arch_name(Arch arch);

// Selects a kernel set by name; throws std::invalid_argument for a name that
// is unknown or that this CPU cannot run.
void set_active_arch(const std::string& name);

// Applies KERNAS_ARCH if it is set (throws like set_active_arch if invalid).
void apply_arch_environment();

}  // namespace kernas
