// The one place that speaks OpenMP. Kernels describe their work as a number of
// independent tasks; how those are mapped onto threads is decided here.
#pragma once

#include <cstdint>

namespace kernas {

// Threads the kernels may use. Starts at OpenMP's default, which honours
// OMP_NUM_THREADS; set_num_threads() changes it for every later kernel call.
// n must lie in [1, kMaxThreads].
constexpr int kMaxThreads = 1024;
int num_threads();
void set_num_threads(int n);

// Runs body(task) for task in [0, tasks) on up to `threads` threads. Each task
// runs exactly once, on one thread; tasks must not write the same memory.
template <typename Body>
void parallel_tasks(int tasks, int threads, const Body& body) {
  if (threads > tasks) threads = tasks;
  if (threads <= 1) {
    for (int t = 0; t < tasks; ++t) body(t);
    return;
  }
#pragma omp parallel for num_threads(threads) schedule(static, 1)
  for (int t = 0; t < tasks; ++t) body(t);
}

}  // namespace kernas
