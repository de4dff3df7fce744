#include "ops/common.h"

#include <algorithm>
#include <vector>

namespace ember::detail {

Device common_device(const char* op, std::initializer_list<const Tensor*> inputs) {
  const Tensor* first = nullptr;
  for (const Tensor* t : inputs) {
    if (!t->defined()) continue;
    if (!first) {
      first = t;
    } else if (t->device() != first->device()) {
      value_error(op, "tensors are on different devices (", first->device().str(), " and ", t->device().str(),
                  "); move them to one device with ops.to_device");
    }
  }
  return first ? first->device() : default_device();
}

std::string describe(const Tensor& t) {
  return std::string(dtype_name(t.dtype())) + " tensor of shape " + shape_str(t.shape());
}

Tensor run_to_new(const OpEntry& op, Device device, const Shape& shape, DType dtype,
                  std::initializer_list<Tensor> inputs, const Attrs& attrs) {
  Tensor out = Tensor::empty(shape, dtype, device, op.name().c_str());
  if (out.numel() == 0) return out;
  op.call(device, std::span<const Tensor>(inputs.begin(), inputs.size()), std::span<Tensor>(&out, 1), attrs);
  return out;
}

std::vector<int> reduction_axes(const Axes& axes, int ndim, const char* op) {
  std::vector<int> result;
  if (!axes) {
    for (int i = 0; i < ndim; ++i) result.push_back(i);
    return result;
  }
  for (auto a : *axes) {
    const int ax = normalize_axis(a, ndim, op);
    if (std::find(result.begin(), result.end(), ax) != result.end()) {
      value_error(op, "duplicate value in 'axis': ", a);
    }
    result.push_back(ax);
  }
  std::sort(result.begin(), result.end());
  return result;
}

}  // namespace ember::detail
