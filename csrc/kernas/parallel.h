// The one place that speaks OpenMP: kernels ask for a team of threads and
// decide themselves which part of the work each member does.
#pragma once

#include <omp.h>

#include <cstdint>

namespace kernas {

// Threads the kernels may use. Starts at OpenMP's default, which honours
// OMP_NUM_THREADS; set_num_threads() changes it for every later kernel call.
// n must lie in [1, kMaxThreads].
constexpr int kMaxThreads = 1024;
int num_threads();
void set_num_threads(int n);

// Runs body(member, size) once on each thread of a team of up to `threads`
// threads; members may wait for each other with team_barrier(). OpenMP can
// grant a smaller team than asked (inside another parallel region, or under
// OMP_THREAD_LIMIT), so body must look at `size` rather than assume it.
template <typename Body>
void parallel_team(int threads, const Body& body) {
  if (threads <= 1) {
    body(0, 1);
    return;
  }
#pragma omp parallel num_threads(threads)
  body(omp_get_thread_num(), omp_get_num_threads());
}

// Returns once every member of the calling team has reached it. Every member
// must call it equally often, or the team deadlocks.
inline void team_barrier() {
#pragma omp barrier
}

}  // namespace kernas
