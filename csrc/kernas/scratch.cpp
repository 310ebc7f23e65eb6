#include "kernas/scratch.h"

#include <cstdlib>
#include <new>

namespace kernas {

Scratch::~Scratch() { std::free(data_); }

float* Scratch::reserve(int64_t floats) {
  if (floats > capacity_) {
    std::free(data_);
    // aligned_alloc wants a whole number of alignment units: 16 floats.
    const int64_t rounded = (floats + 15) / 16 * 16;
    data_ = static_cast<float*>(std::aligned_alloc(64, static_cast<size_t>(rounded) * sizeof(float)));
    capacity_ = data_ ? rounded : 0;
    if (!data_) throw std::bad_alloc();
  }
  return data_;
}

}  // namespace kernas
