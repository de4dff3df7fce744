// Gradients of the shape ops, basic indexing and matmul. Linear ops whose adjoint is
// not itself a front-end op (pad, basic indexing) get the adjoint as a recorded op whose
// own rule is the forward op, so gradients of gradients flow through them too.
#include <numeric>

#include "autograd/rules.h"

namespace ember::autograd {

Rule reshape_rule(const Tensor& x) {
  return [shape = x.shape()](const Grads& g, const Grads&, const std::vector<bool>&) -> Grads {
    return {reshape(g[0], shape)};
  };
}

Rule transpose_rule(const std::vector<int>& perm) {
  std::vector<std::int64_t> inverse(perm.size());
  for (std::size_t i = 0; i < perm.size(); ++i) inverse[perm[i]] = static_cast<std::int64_t>(i);
  return [inverse](const Grads& g, const Grads&, const std::vector<bool>&) -> Grads {
    return {transpose(g[0], inverse)};
  };
}

Rule broadcast_rule(const Tensor& x) {
  return [shape = x.shape()](const Grads& g, const Grads&, const std::vector<bool>&) -> Grads {
    return {sum_to(g[0], shape)};
  };
}

Rule concat_rule(std::vector<Shape> shapes, std::vector<std::int64_t> sizes, int axis) {
  return [shapes = std::move(shapes), sizes = std::move(sizes), axis](const Grads& g, const Grads&,
                                                                      const std::vector<bool>& needs) -> Grads {
    std::vector<Tensor> parts = split(g[0], sizes, axis);
    Grads out(parts.size());
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (needs[i]) out[i] = reshape(parts[i], shapes[i]);
    }
    return out;
  };
}

Rule split_rule(int axis) {
  return [axis](const Grads& g, const Grads&, const std::vector<bool>&) -> Grads {
    return {concatenate(g, axis)};
  };
}

namespace {

using Paddings = std::vector<std::pair<std::int64_t, std::int64_t>>;

// The adjoint of pad: border gradients folded back onto the elements they copied, then
// the inner block. Axes are undone in the reverse of the order pad fills them in.
Tensor pad_adjoint(const Tensor& g, const Shape& shape, const Paddings& paddings, const std::string& mode) {
  return differentiable(
      "pad_backward", {g},
      [&] {
        Tensor acc = copy(g);
        const auto source = [&](std::int64_t i, std::int64_t n) -> std::int64_t {
          if (mode == "edge") return i < 0 ? 0 : n - 1;
          const std::int64_t period = mode == "reflect" ? 2 * (n - 1) : 2 * n;
          if (period == 0) return 0;
          const std::int64_t k = ((i % period) + period) % period;
          if (mode == "reflect") return k < n ? k : period - k;
          return k < n ? k : period - 1 - k;
        };
        if (mode != "constant") {
          for (int d = static_cast<int>(shape.size()) - 1; d >= 0; --d) {
            const auto [lo, hi] = paddings[d];
            const std::int64_t n = shape[d];
            for (std::int64_t i = -lo; i < n + hi; ++i) {
              if (i >= 0 && i < n) continue;
              const Tensor dst = acc.select(d, lo + source(i, n));
              copy_into(dst, add(dst, acc.select(d, lo + i)), "pad");
            }
          }
        }
        Tensor inner = acc;
        for (std::size_t d = 0; d < shape.size(); ++d) {
          inner = inner.slice(static_cast<int>(d), paddings[d].first, paddings[d].first + shape[d], 1);
        }
        return contiguous(inner);
      },
      [&] {
        return Rule([paddings, mode](const Grads& gg, const Grads&, const std::vector<bool>&) -> Grads {
          return {pad(gg[0], paddings, mode, Scalar::from_int(0))};
        });
      });
}

}  // namespace

Tensor view_adjoint(const char* name, const Tensor& g, const Shape& shape, std::function<Tensor(const Tensor&)> view) {
  return differentiable(
      name, {g},
      [&] {
        Tensor out = zeros(shape, g.dtype(), g.device());
        copy_into(view(out), g, name);
        return out;
      },
      [&] {
        return Rule([view](const Grads& gg, const Grads&, const std::vector<bool>&) -> Grads { return {view(gg[0])}; });
      });
}

Rule pad_rule(const Tensor& x, const Paddings& paddings, const std::string& mode) {
  return [shape = x.shape(), paddings, mode](const Grads& g, const Grads&, const std::vector<bool>&) -> Grads {
    return {pad_adjoint(g[0], shape, paddings, mode)};
  };
}

Rule basic_index_rule(const Tensor& x, const std::vector<IndexItem>& items) {
  return [shape = x.shape(), items](const Grads& g, const Grads&, const std::vector<bool>&) -> Grads {
    return {view_adjoint("index_backward", g[0], shape, [items](const Tensor& t) { return basic_index(t, items); })};
  };
}

Tensor swap_last_two(const Tensor& t) {
  std::vector<std::int64_t> perm(t.ndim());
  std::iota(perm.begin(), perm.end(), 0);
  std::swap(perm[t.ndim() - 1], perm[t.ndim() - 2]);
  return transpose(t, perm);
}

// numpy.matmul: 1-D operands act as a row (a) or a column (b) that the result drops;
// batch dimensions broadcast, so their gradients are summed back (sum_to).
Rule matmul_rule(const Tensor& a, const Tensor& b) {
  return [a, b](const Grads& grads, const Grads&, const std::vector<bool>& needs) -> Grads {
    const Tensor a2 = a.ndim() == 1 ? reshape(a, {1, a.shape()[0]}) : a;
    const Tensor b2 = b.ndim() == 1 ? reshape(b, {b.shape()[0], 1}) : b;
    Tensor g = grads[0];
    if (a.ndim() == 1) g = expand_dims(g, g.ndim() - (b.ndim() == 1 ? 0 : 1));
    if (b.ndim() == 1) g = expand_dims(g, g.ndim());
    Grads out(2);
    if (needs[0]) out[0] = reshape(sum_to(matmul(g, swap_last_two(b2)), a2.shape()), a.shape());
    if (needs[1]) out[1] = reshape(sum_to(matmul(swap_last_two(a2), g), b2.shape()), b.shape());
    return out;
  };
}

}  // namespace ember::autograd
