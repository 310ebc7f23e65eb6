// Scratch memory a thread keeps between kernel calls, so that steady-state
// training allocates nothing.
#pragma once

#include <cstdint>

namespace kernas {

// A 64-byte aligned float buffer that only grows. Grow it before a parallel
// region, where an allocation failure can still throw std::bad_alloc.
class Scratch {
 public:
  Scratch() = default;
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  ~Scratch();

  // Room for at least `floats` floats; earlier contents are not kept.
  float* reserve(int64_t floats);

 private:
  float* data_ = nullptr;
  int64_t capacity_ = 0;
};

}  // namespace kernas
