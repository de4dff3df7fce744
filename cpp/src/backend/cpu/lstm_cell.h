// ncps's LSTMCell update, the mixed memory of the fused CfC and LTC kernels, written once
// for any Eigen arrays (the CfC kernel's (rows, H) blocks of a batch, the LTC kernel's one
// neuron's lanes):
//   c' = sigmoid(f + 1) c + sigmoid(i) tanh(k),   h_lstm = sigmoid(o) tanh(c').
#pragma once

#include <Eigen/Core>

namespace ember::cpu {

// k, i, f, o hold the gates' pre-activations and become tanh(k), sigmoid(i), sigmoid(f + 1)
// and sigmoid(o); cell and tanh_cell receive c' and tanh(c'), from the cell c before the step.
template <class A, class C>
void lstm_cell(A& k, A& i, A& f, A& o, const C& c, A& cell, A& tanh_cell) {
  using T = typename A::Scalar;
  k = k.tanh();
  i = i.logistic();
  f = (f + T(1)).logistic();
  o = o.logistic();
  cell = f * c + i * k;
  tanh_cell = cell.tanh();
}

// The adjoint of lstm_cell's step: dcell holds the adjoint of c' from its other uses and
// gains h_lstm's share (dh); dk, di, df and d_o receive the adjoints of the gates'
// pre-activations. The adjoint of c is then dcell * f.
template <class A, class C, class D, class Dk, class Di, class Df, class Do>
void lstm_cell_adjoint(const A& k, const A& i, const A& f, const A& o, const A& tanh_cell, const C& c, const D& dh,
                       A& dcell, Dk&& dk, Di&& di, Df&& df, Do&& d_o) {
  using T = typename A::Scalar;
  dcell += dh * o * (T(1) - tanh_cell.square());
  dk = dcell * i * (T(1) - k.square());
  di = dcell * k * i * (T(1) - i);
  df = dcell * c * f * (T(1) - f);
  d_o = dh * tanh_cell * o * (T(1) - o);
}

}  // namespace ember::cpu
