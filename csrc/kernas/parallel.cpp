#include "kernas/parallel.h"

#include <omp.h>

#include <atomic>

namespace kernas {
namespace {

std::atomic<int>& thread_setting() {
  static std::atomic<int> threads{omp_get_max_threads()};
  return threads;
}

}  // namespace

int num_threads() { return thread_setting().load(std::memory_order_relaxed); }

void set_num_threads(int n) { thread_setting().store(n < 1 ? 1 : n, std::memory_order_relaxed); }

}  // namespace kernas
