#include "kernas/allocator_settings.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace kernas {

namespace {
constexpr int kMmapThresholdBytes = 64 << 20;   // blocks below this come from the reusable heap
constexpr int kTrimThresholdBytes = 256 << 20;  // free heap kept before any is returned
}  // namespace

void retain_freed_memory() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, kMmapThresholdBytes);
  mallopt(M_TRIM_THRESHOLD, kTrimThresholdBytes);
#endif
}

}  // namespace kernas
