// The length of a slice, shared by Tensor::slice and basic indexing (ops/indexing.cpp).
#pragma once

#include <cstdint>

namespace ember {

// Elements of start:stop:step whose start and stop are already clamped to the axis
// (Python's slice.indices()); step != 0.
inline std::int64_t slice_length(std::int64_t start, std::int64_t stop, std::int64_t step) noexcept {
  if (step > 0 && stop > start) return (stop - start + step - 1) / step;
  if (step < 0 && stop < start) return (start - stop - step - 1) / (-step);
  return 0;
}

}  // namespace ember
