// What every Google Benchmark file in bench/ shares: random inputs, and the
// main() (in bench_support.cpp) that applies KERNAS_ARCH and names the kernel
// set in the report. Set OMP_NUM_THREADS for the thread count.
#pragma once

#include <cstdint>
#include <vector>

namespace kernas::bench {

// `count` normally distributed floats (mean 0, standard deviation `scale`), the same for the same seed.
std::vector<float> random_normal(int64_t count, unsigned seed, float scale = 1.0f);

}  // namespace kernas::bench
