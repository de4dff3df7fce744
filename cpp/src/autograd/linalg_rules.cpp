// Gradients of solve, inv, det and cholesky (matrix calculus as in Giles, "An extended
// collection of matrix derivative results for forward and reverse mode AD", 2008, and
// Murray, "Differentiation of the Cholesky decomposition", 2016 — PyTorch's formulas).
#include "autograd/rules.h"
#include "ember/linalg.h"

namespace ember::autograd {

// X = A^-1 B: dB = A^-T G, dA = -dB X^T (outer products for a vector b).
Rule solve_rule(const Tensor& a, const Tensor& b) {
  return [a, b](const Grads& g, const Grads& x, const std::vector<bool>& needs) -> Grads {
    const Tensor gb = linalg::solve(swap_last_two(a), g[0]);
    Grads out(2);
    if (needs[0]) {
      const Tensor ga = b.ndim() == 1 ? multiply(expand_dims(gb, -1), expand_dims(x[0], -2))
                                      : matmul(gb, swap_last_two(x[0]));
      out[0] = sum_to(negative(ga), a.shape());
    }
    if (needs[1]) out[1] = sum_to(gb, b.shape());
    return out;
  };
}

// Y = A^-1: dA = -Y^T G Y^T.
Rule inv_rule() {
  return [](const Grads& g, const Grads& y, const std::vector<bool>&) -> Grads {
    const Tensor yt = swap_last_two(y[0]);
    return {negative(matmul(matmul(yt, g[0]), yt))};
  };
}

// d det(A) / dA = det(A) A^-T (Jacobi's formula); singular A raises through inv.
Rule det_rule(const Tensor& a) {
  return [a](const Grads& g, const Grads& d, const std::vector<bool>&) -> Grads {
    const Tensor scale = expand_dims(expand_dims(multiply(g[0], d[0]), -1), -1);
    return {multiply(scale, swap_last_two(linalg::inv(a)))};
  };
}

// A = L L^T: dA = sym(L^-T Phi(L^T G) L^-1), Phi taking the lower triangle with its
// diagonal halved.
Rule cholesky_rule() {
  return [](const Grads& g, const Grads& l, const std::vector<bool>&) -> Grads {
    const Tensor& L = l[0];
    const std::int64_t n = L.dim(-1);
    const Device dev = L.device();
    const Tensor rows = reshape(arange(0, static_cast<double>(n), 1, DType::Int64, dev), {n, 1});
    const Tensor cols = reshape(arange(0, static_cast<double>(n), 1, DType::Int64, dev), {1, n});
    const Tensor half = scalar_like(0.5, L), one = scalar_like(1.0, L), zero = scalar_like(0.0, L);
    const Tensor phi_mask = where(greater(rows, cols), one, where(equal(rows, cols), half, zero));
    const Tensor phi = multiply(matmul(swap_last_two(L), g[0]), phi_mask);
    const Tensor l_inv = linalg::inv(L);
    const Tensor ga = matmul(matmul(swap_last_two(l_inv), phi), l_inv);
    return {multiply(add(ga, swap_last_two(ga)), half)};
  };
}

}  // namespace ember::autograd
