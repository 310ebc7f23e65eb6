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

// Runs body(begin, end) over [0, count) cut into one contiguous range per
// thread. Every range but the last is a whole number of `align` items, so a
// vectorised loop meets the same alignment in each; no thread gets fewer than
// about `grain` items (small work stays on one thread). Meant for work whose
// result does not depend on where the cuts fall: elementwise maps, or a
// reduction over fixed chunks that the caller combines in chunk order. body
// must not throw. (Written without std:: templates: SIMD files include this.)
template <typename Body>
void parallel_for(int64_t count, int64_t grain, const Body& body, int64_t align = 16) {
  if (count <= 0) return;
  const int64_t blocks = (count + align - 1) / align;
  int64_t threads = count / (grain > 0 ? grain : 1);
  if (threads > num_threads()) threads = num_threads();
  if (threads > blocks) threads = blocks;
  if (threads <= 1) {
    body(int64_t{0}, count);
    return;
  }
  parallel_team(static_cast<int>(threads), [&](int member, int team) {
    const int64_t begin = blocks * member / team * align;
    const int64_t end = blocks * (member + 1) / team * align;
    if (begin < count) body(begin, end < count ? end : count);
  });
}

}  // namespace kernas
