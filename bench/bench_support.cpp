#include "bench_support.h"

#include <benchmark/benchmark.h>

#include <random>

#include "kernas/cpu_features.h"

namespace kernas::bench {

std::vector<float> random_normal(int64_t count, unsigned seed, float scale) {
  std::mt19937 engine(seed);
  std::normal_distribution<float> normal(0.0f, scale);
  std::vector<float> out(static_cast<size_t>(count));
  for (float& x : out) x = normal(engine);
  return out;
}

}  // namespace kernas::bench

int main(int argc, char** argv) {
  kernas::apply_arch_environment();
  benchmark::Initialize(&argc, argv);
  benchmark::AddCustomContext("kernas kernel set", kernas::arch_name(kernas::active_arch()));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
