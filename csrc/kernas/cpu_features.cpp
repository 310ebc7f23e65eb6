#include "kernas/cpu_features.h"

#include <atomic>
#include <cstdlib>
#include <stdexcept>

namespace kernas {
namespace {

bool cpu_has_avx2_fma() {
#if defined(__x86_64__) || defined(__i386__)
  // libgcc's check includes the OS's XSAVE support for the ymm registers.
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

Arch best_arch() { return cpu_has_avx2_fma() ? Arch::Avx2Fma : Arch::Reference; }

std::atomic<Arch>& arch_setting() {
  static std::atomic<Arch> arch{best_arch()};
  return arch;
}

std::string joined_supported_names() {
  std::string out;
  for (const auto& name : supported_arch_names()) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace

Arch active_arch() { return arch_setting().load(std::memory_order_relaxed); }

std::string arch_name(Arch arch) { return arch == Arch::Avx2Fma ? "avx2-fma" : "reference"; }

std::vector<std::string> supported_arch_names() {
  std::vector<std::string> names{arch_name(Arch::Reference)};
  if (cpu_has_avx2_fma()) names.push_back(arch_name(Arch::Avx2Fma));
  return names;
}

void set_active_arch(const std::string& name) {
  for (Arch arch : {Arch::Reference, Arch::Avx2Fma}) {
    if (name != arch_name(arch)) continue;
    if (arch == Arch::Avx2Fma && !cpu_has_avx2_fma())
      throw std::invalid_argument("The kernel set 'avx2-fma' needs a CPU with AVX2 and FMA, which this one lacks. Use one of: " +
                                  joined_supported_names() + ".");
    arch_setting().store(arch, std::memory_order_relaxed);
    return;
  }
  throw std::invalid_argument("Unknown kernel set '" + name + "'. Expected one of: " + joined_supported_names() + ".");
}

void apply_arch_environment() {
  const char* requested = std::getenv("KERNAS_ARCH");
  if (requested == nullptr || *requested == '\0') return;
  try {
    set_active_arch(requested);
  } catch (const std::invalid_argument& error) {
    throw std::invalid_argument(std::string("Invalid KERNAS_ARCH environment variable: ") + error.what());
  }
}

}  // namespace kernas
