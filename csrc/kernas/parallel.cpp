#include "kernas/parallel.h"

#include <omp.h>

#include <algorithm>
#include <atomic>

namespace kernas {
namespace {

std::atomic<int>& thread_setting() {
  static std::atomic<int> threads{std::min(omp_get_max_threads(), kMaxThreads)};
  return threads;
}

}  // namespace

int num_threads() { return thread_setting().load(std::memory_order_relaxed); }

void set_num_threads(int n) { thread_setting().store(std::clamp(n, 1, kMaxThreads), std::memory_order_relaxed); }

}  // namespace kernas
